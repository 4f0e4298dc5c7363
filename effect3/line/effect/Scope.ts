/** `Scope` as this line's Effect has it, imported by the shared sources as `#effect/Scope`. */
export * from "effect/Scope"
