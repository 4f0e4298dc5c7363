/** `Schema` as this line's Effect has it, imported by the shared sources as `#effect/Schema`. */
export * from "effect/Schema"
