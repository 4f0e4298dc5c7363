/**
 * A request body made ready for JSON, without ever throwing: every value JSON would change or drop
 * silently, and every value that cannot be read, is named by its path so that the client refuses
 * the body instead of sending something the caller did not mean. The walk is iterative, so no
 * shape (deep, circular, a proxy, a getter that throws) can overflow the stack. Pure, no Effect.
 */
import { formatPath, isStorable, type Path } from "./rules.js"

/**
 * The deepest nesting the client sends: Nango's server takes at least 1,000 levels (measured), and
 * V8's JSON, which both the client and the server use, fails from a few thousand.
 */
export const maxBodyDepth = 2000

/** A request body made JSON-ready: keys whose value is `undefined` left out, as JSON does. */
export interface PreparedBody {
  readonly body: unknown
  /** Values JSON cannot carry faithfully, or could not be read, by path; never the values themselves. */
  readonly issues: ReadonlyArray<string>
  /** The level of the deepest object or array in the body (the body itself is level 0). */
  readonly depth: number
  /**
   * The paths of the strings and keys the server cannot store (NUL, an unpaired surrogate), found
   * on the same walk, in document order; see `unstorablePaths` in rules.ts.
   */
  readonly unstorable: ReadonlyArray<Path>
}

/** A path as a chain from the leaf up, so that a deep walk does not copy paths. */
interface PathNode {
  readonly key: string
  readonly parent: PathNode | undefined
  /** Set on a key the server cannot store: what lies under it is not listed again. */
  readonly unstorable?: true
}

const toPath = (node: PathNode | undefined, base: Path): Path => {
  const keys: Array<string> = []
  for (let at = node; at !== undefined; at = at.parent) keys.push(at.key)
  return [...base, ...keys.reverse()]
}

/** What a value is, for a message that must not show the value itself. */
const describeKind = (value: unknown): string => {
  if (typeof value === "number") return String(value)
  if (typeof value !== "object" || value === null) return typeof value
  try {
    const name = (Object.getPrototypeOf(value) as { constructor?: { name?: unknown } } | null)?.constructor?.name
    return typeof name === "string" && name !== "" ? `a ${name}` : "an object with a prototype"
  } catch {
    return "an object that cannot be inspected"
  }
}

const isPlainObject = (value: object): boolean => {
  const prototype = Object.getPrototypeOf(value)
  return prototype === Object.prototype || prototype === null
}

/** One value still to copy: where its copy goes (`holder[key]`) and where it is in the body. */
interface Task {
  readonly value: unknown
  readonly node: PathNode | undefined
  readonly depth: number
  readonly holder: Record<string, unknown>
  readonly key: string
}

/** What the walk found wrong or unstorable so far, by path. */
class Findings {
  readonly issues: Array<string> = []
  private readonly unstorableNodes: Array<PathNode | undefined> = []
  constructor(private readonly base: Path) {}
  issue(node: PathNode | undefined, text: string) {
    this.issues.push(`${formatPath(toPath(node, this.base))}: ${text}`)
  }
  unstorable(node: PathNode | undefined) {
    for (let at = node?.parent; at !== undefined; at = at.parent) if (at.unstorable) return
    this.unstorableNodes.push(node)
  }
  unstorablePaths(): Array<Path> {
    return this.unstorableNodes.map((node) => toPath(node, this.base))
  }
}

const child = (node: PathNode | undefined, key: string): PathNode => ({ key, parent: node })

/**
 * Walks a request body: drops keys whose value is `undefined` (JSON has none, so the server never
 * sees them), and names every value that `JSON.stringify` would change or drop silently (a `Date`,
 * `Map`, function, `bigint`, `NaN`, a symbol key, a non-enumerable or own `__proto__` key, an array
 * hole or `undefined` element), every part that cannot be read (a getter or proxy that throws), a
 * value that contains itself, and nesting deeper than {@link maxBodyDepth}. On the same walk, it
 * lists the strings and keys the server cannot store.
 */
export const prepareBody = (value: unknown, base: Path = []): PreparedBody => {
  const found = new Findings(base)
  // The objects on the path being walked, to tell a cycle from a value shared by two keys.
  const open = new Set<object>()
  const stack: Array<Task | { readonly close: object }> = []
  const root: Record<string, unknown> = {}
  let deepest = 0
  stack.push({ value, node: undefined, depth: 0, holder: root, key: "body" })
  while (stack.length > 0) {
    const task = stack.pop() as Task | { readonly close: object }
    if ("close" in task) {
      open.delete(task.close)
      continue
    }
    const { value: current, node, depth } = task
    switch (typeof current) {
      case "string":
        if (!isStorable(current)) found.unstorable(node)
        task.holder[task.key] = current
        continue
      case "boolean":
        task.holder[task.key] = current
        continue
      case "number":
        if (!Number.isFinite(current)) found.issue(node, `${current} cannot be sent as JSON`)
        task.holder[task.key] = current
        continue
      case "object":
        break
      default:
        found.issue(node, `${describeKind(current)} cannot be sent as JSON`)
        continue
    }
    if (current === null) {
      task.holder[task.key] = null
      continue
    }
    if (open.has(current)) {
      found.issue(node, "contains itself (a circular structure), which JSON cannot carry")
      continue
    }
    if (depth >= maxBodyDepth) {
      found.issue(node, `nested deeper than ${maxBodyDepth} levels, more than the client sends`)
      continue
    }
    const children = readChildren(current, (text, key) =>
      found.issue(key === undefined ? node : child(node, key), text),
    )
    if (children === undefined) continue
    open.add(current)
    stack.push({ close: current })
    deepest = Math.max(deepest, depth)
    const copy: Record<string, unknown> = children.array ? ([] as unknown as Record<string, unknown>) : {}
    task.holder[task.key] = copy
    const { entries } = children
    const nodes: Array<PathNode> = []
    for (const [key, item] of entries) {
      const keyNode: PathNode =
        children.array || isStorable(key) ? child(node, key) : { key, parent: node, unstorable: true }
      nodes.push(keyNode)
      // A key left out (its value is undefined) is never stored, whatever it holds.
      if (keyNode.unstorable && item !== undefined) found.unstorable(keyNode)
      // A key whose value is undefined is left out, as JSON does; in an array JSON would send null.
      if (item === undefined && children.array) {
        found.issue(keyNode, "undefined in an array, which JSON sends as null; send null")
      }
    }
    // Pushed in reverse, so that children are walked (and their issues listed) in key order.
    for (let index = entries.length - 1; index >= 0; index--) {
      const [key, item] = entries[index] as readonly [string, unknown]
      if (item !== undefined) {
        stack.push({ value: item, node: nodes[index], depth: depth + 1, holder: copy, key })
      }
    }
  }
  return { body: root.body, issues: found.issues, depth: deepest, unstorable: found.unstorablePaths() }
}

/** The entries of an object or array as JSON would read them, or undefined when it must be refused. */
const readChildren = (
  value: object,
  refuse: Refuse,
): { readonly array: boolean; readonly entries: ReadonlyArray<readonly [string, unknown]> } | undefined => {
  try {
    if (Array.isArray(value)) return { array: true, entries: arrayEntries(value, refuse) }
    if (!isPlainObject(value)) {
      refuse(`${describeKind(value)} cannot be sent as JSON; send a plain value`)
      return undefined
    }
    return { array: false, entries: objectEntries(value, refuse) }
  } catch {
    refuse("cannot be read (a getter or a proxy threw), so it cannot be sent")
    return undefined
  }
}

/** Where an entry's own refusal goes: the entry's path. */
type Refuse = (text: string, key?: string) => void

const arrayEntries = (array: ReadonlyArray<unknown>, refuse: Refuse) => {
  const entries: Array<readonly [string, unknown]> = []
  for (let index = 0; index < array.length; index++) {
    if (index in array) entries.push([String(index), array[index]])
    else refuse("a hole in an array, which JSON sends as null; send null", String(index))
  }
  return entries
}

const objectEntries = (object: object, refuse: Refuse) => {
  const entries: Array<readonly [string, unknown]> = []
  for (const key of Reflect.ownKeys(object)) {
    if (typeof key === "symbol") {
      refuse("has a symbol key, which JSON leaves out")
      continue
    }
    const descriptor = Object.getOwnPropertyDescriptor(object, key)
    if (descriptor === undefined) continue
    if (!descriptor.enumerable) refuse("a non-enumerable key, which JSON leaves out", key)
    else if (key === "__proto__") refuse("an own __proto__ key, which the client would lose; rename it", key)
    else {
      try {
        entries.push([key, (object as Record<string, unknown>)[key]])
      } catch {
        refuse("cannot be read (its getter threw), so it cannot be sent", key)
      }
    }
  }
  return entries
}

/** How deep a body is given to a line's schema check; deeper parts are checked by {@link prepareBody}. */
export const schemaDepth = 64

/**
 * A prepared body cut for a schema check that recurses: every object or array below
 * {@link schemaDepth} is replaced by a marker string (free-form JSON, which the schemas accept as
 * a string there), so that the check cannot run out of stack; `restore` puts the parts back into
 * what the schema encoded. Below that depth only free-form values (`connection_config`, …) exist,
 * and {@link prepareBody} has already checked them for everything the schemas check: JSON values
 * with finite numbers. Iterative, like the rest of this module.
 */
export const cutForSchema = (
  prepared: PreparedBody,
): { readonly cut: unknown; readonly restore: (encoded: unknown) => unknown } => {
  // Most bodies are a few levels deep: they are checked as they are, without a copy.
  if (prepared.depth < schemaDepth) return { cut: prepared.body, restore: (encoded) => encoded }
  const parts = new Map<string, unknown>()
  const nonce = `\u0000effect-nango:${Math.random().toString(36).slice(2)}${Date.now().toString(36)}:`
  const copy = (value: unknown, depth: number, replace: (node: unknown, depth: number) => unknown): unknown => {
    const root: { value?: unknown } = {}
    const stack: Array<readonly [unknown, number, (copied: unknown) => void]> = [
      [value, depth, (copied) => (root.value = copied)],
    ]
    while (stack.length > 0) {
      const [current, at, assign] = stack.pop() as readonly [unknown, number, (copied: unknown) => void]
      const replaced = replace(current, at)
      if (replaced !== current || typeof current !== "object" || current === null) {
        assign(replaced)
        continue
      }
      const out: Record<string, unknown> = Array.isArray(current) ? ([] as unknown as Record<string, unknown>) : {}
      assign(out)
      for (const [key, item] of Object.entries(current)) stack.push([item, at + 1, (copied) => (out[key] = copied)])
    }
    return root.value
  }
  const cut = copy(prepared.body, 0, (node, depth) => {
    if (depth < schemaDepth || typeof node !== "object" || node === null) return node
    const marker = `${nonce}${parts.size}`
    parts.set(marker, node)
    return marker
  })
  const restore = (encoded: unknown) =>
    parts.size === 0
      ? encoded
      : copy(encoded, 0, (node) => (typeof node === "string" && parts.has(node) ? parts.get(node) : node))
  return { cut, restore }
}
