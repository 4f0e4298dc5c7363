/** `Option` as this line's Effect has it, imported by the shared sources as `#effect/Option`. */
export * from "effect/Option"
