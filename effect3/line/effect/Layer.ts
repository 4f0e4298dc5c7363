/** `Layer` as this line's Effect has it, imported by the shared sources as `#effect/Layer`. */
export * from "effect/Layer"
