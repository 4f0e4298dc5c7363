/** `HttpClientResponse` as this line's Effect has it, imported by the shared sources as `#effect/HttpClientResponse`. */
export * from "effect/http/HttpClientResponse"
