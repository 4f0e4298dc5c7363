// The type of the one undici file loaded by path (see undici.ts): the class the index exports.
declare module "undici/lib/dispatcher/agent.js" {
  const Agent: typeof import("undici").Agent
  export default Agent
}
