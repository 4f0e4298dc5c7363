/** `Effect` as this line's Effect has it, imported by the shared sources as `#effect/Effect`. */
export * from "effect/Effect"
