/** `HttpServerRequest` as this line's Effect has it, imported by the shared sources as `#effect/HttpServerRequest`. */
export * from "effect/http/HttpServerRequest"
