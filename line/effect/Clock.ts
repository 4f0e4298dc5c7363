/** `Clock` as this line's Effect has it, imported by the shared sources as `#effect/Clock`. */
export * from "effect/Clock"
