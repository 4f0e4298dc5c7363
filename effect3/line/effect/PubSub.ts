/** `PubSub` as this line's Effect has it, imported by the shared sources as `#effect/PubSub`. */
export * from "effect/PubSub"
