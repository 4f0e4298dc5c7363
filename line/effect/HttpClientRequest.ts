/** `HttpClientRequest` as this line's Effect has it, imported by the shared sources as `#effect/HttpClientRequest`. */
export * from "effect/http/HttpClientRequest"
