/** `HttpClientError` as this line's Effect has it, imported by the shared sources as `#effect/HttpClientError`. */
export * from "effect/http/HttpClientError"
