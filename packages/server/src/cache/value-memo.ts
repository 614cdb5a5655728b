const OBJECT = Symbol('object')
const ARRAY = Symbol('array')
const HOLE = Symbol('hole')
const END = Symbol('end')

class Node<V> {
  /** The first child, kept inline: most nodes have one, and a Map each would cost more than the walk. */
  token: unknown = undefined
  child: Node<V> | undefined = undefined
  children: Map<unknown, Node<V>> | undefined = undefined
  value: V | undefined = undefined
}

/**
 * Values remembered by (principal, input), looked up by walking the input itself. Keying by text
 * would build the input's canonical text on every call, and a Map lookup on a freshly concatenated
 * string is most of the cost of a cache hit; here each step is a lookup of a string or number the
 * input already holds.
 *
 * Two inputs reach the same node only when they are equal as the canonical text sees them: tokens
 * are compared as a Map compares keys (so `1` and `'1'` differ), object keys go in their own order
 * (`{a, b}` and `{b, a}` are two paths to equal values, which is harmless), and what a Map would
 * confuse or what is not plain data (`-0`, Dates, class instances) is not taken at all.
 */
export class ValueMemo<V> {
  private root = new Node<V>()
  private nodes = 0

  constructor(private readonly maxNodes: number) {}

  /** The value for `input`, `undefined` when none is stored, `null` when the memo does not take such an input. */
  get(principal: string, input: unknown): V | undefined | null {
    const at = this.find(principal, input, false)
    return at === null ? null : at?.value
  }

  /**
   * Remembers `value` for `input`, or returns false when the memo does not take such an input.
   * When full, it forgets everything first: the values are recomputable.
   */
  set(principal: string, input: unknown, value: V): boolean {
    if (this.nodes >= this.maxNodes) {
      this.root = new Node()
      this.nodes = 0
    }
    const at = this.find(principal, input, true)
    if (!at) return false
    at.value = value
    return true
  }

  private find(principal: string, input: unknown, create: boolean): Node<V> | undefined | null {
    const at = this.step(this.root, principal, create)
    return at && this.walk(at, input, create)
  }

  private walk(node: Node<V>, value: unknown, create: boolean): Node<V> | undefined | null {
    switch (typeof value) {
      case 'number':
        // A Map holds 0 and -0 as one key; the canonical text does not.
        return value === 0 && 1 / value < 0 ? null : this.step(node, value, create)
      case 'string':
      case 'boolean':
      case 'undefined':
      case 'bigint':
        return this.step(node, value, create)
      case 'object':
        if (value === null) return this.step(node, null, create)
        if (Array.isArray(value)) return this.array(node, value, create)
        return isPlain(value) ? this.record(node, value as Record<string, unknown>, create) : null
      default:
        return null
    }
  }

  private array(node: Node<V>, value: readonly unknown[], create: boolean): Node<V> | undefined | null {
    let at: Node<V> | undefined | null = this.step(node, ARRAY, create)
    for (let i = 0; i < value.length && at; i++) at = i in value ? this.walk(at, value[i], create) : this.step(at, HOLE, create)
    return at && this.step(at, END, create)
  }

  private record(node: Node<V>, value: Record<string, unknown>, create: boolean): Node<V> | undefined | null {
    const keys = Object.keys(value)
    let at: Node<V> | undefined | null = this.step(node, OBJECT, create)
    for (let i = 0; i < keys.length && at; i++) {
      const key = keys[i]!
      at = this.step(at, key, create)
      if (at) at = this.walk(at, value[key], create)
    }
    return at && this.step(at, END, create)
  }

  private step(node: Node<V>, token: unknown, create: boolean): Node<V> | undefined {
    // SameValueZero, as the Map below compares: NaN finds NaN.
    if (node.child !== undefined && (node.token === token || (node.token !== node.token && token !== token))) return node.child
    const found = node.children?.get(token)
    if (found !== undefined || !create) return found
    const next = new Node<V>()
    if (node.child === undefined) {
      node.token = token
      node.child = next
    } else {
      ;(node.children ??= new Map()).set(token, next)
    }
    this.nodes++
    return next
  }
}

function isPlain(value: object): boolean {
  const proto: unknown = Object.getPrototypeOf(value)
  return proto === Object.prototype || proto === null
}
