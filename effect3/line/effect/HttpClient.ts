/** `HttpClient` as this line's Effect has it, imported by the shared sources as `#effect/HttpClient`. */
export * from "@effect/platform/HttpClient"
