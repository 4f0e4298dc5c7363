/** `Stream` as this line's Effect has it, imported by the shared sources as `#effect/Stream`. */
export * from "effect/Stream"
