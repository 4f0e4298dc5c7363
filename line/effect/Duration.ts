/** `Duration` as this line's Effect has it, imported by the shared sources as `#effect/Duration`. */
export * from "effect/Duration"
