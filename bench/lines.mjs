// Where each line's benchmark module is. Each line has its own, so that its imports resolve to that
// line's own Effect: the root's for the Effect 4 line, effect3/node_modules for the Effect 3 line.
export const lineModules = {
  effect4: new URL("./effect4.mjs", import.meta.url).href,
  effect3: new URL("../effect3/bench/effect3.mjs", import.meta.url).href,
}
