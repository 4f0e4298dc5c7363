/** `Context` as this line's Effect has it, imported by the shared sources as `#effect/Context`. */
export * from "effect/Context"
