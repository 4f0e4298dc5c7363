/** `Redacted` as this line's Effect has it, imported by the shared sources as `#effect/Redacted`. */
export * from "effect/Redacted"
