/** `Schedule` as this line's Effect has it, imported by the shared sources as `#effect/Schedule`. */
export * from "effect/Schedule"
