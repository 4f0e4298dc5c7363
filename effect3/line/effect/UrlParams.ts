/** `UrlParams` as this line's Effect has it, imported by the shared sources as `#effect/UrlParams`. */
export * from "@effect/platform/UrlParams"
