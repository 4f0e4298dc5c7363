/** `FetchHttpClient` as this line's Effect has it, imported by the shared sources as `#effect/FetchHttpClient`. */
export * from "@effect/platform/FetchHttpClient"
