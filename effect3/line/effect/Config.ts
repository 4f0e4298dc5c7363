/** `Config` as this line's Effect has it, imported by the shared sources as `#effect/Config`. */
export * from "effect/Config"
