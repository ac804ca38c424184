/**
 * Maps that forget their least recently used entries beyond a size. The features keep per-room,
 * per-thread and per-person state in memory, and it must not grow with the length of the history.
 *
 * Recency is a doubly linked list beside the map: a read moves one node, where deleting and
 * re-inserting the key (the usual Map-order trick) costs two more hash operations and table churn,
 * and reads happen on every message.
 */
interface Linked<V> {
  value: V;
  older: Linked<V> | undefined;
  newer: Linked<V> | undefined;
}

/** The recency list both maps keep, oldest first; `forget` takes an evicted node out of the map. */
abstract class RecencyList<V, N extends Linked<V>> {
  protected oldest: N | undefined;
  protected newest: N | undefined;

  constructor(protected readonly limit: number) {}

  abstract get size(): number;
  /** Removes `node` from the map (not from the list). */
  protected abstract forget(node: N): void;

  /** Adds a node known to be new as the most recently used, and evicts the least recent beyond the limit. */
  protected append(node: N): void {
    node.older = this.newest;
    node.newer = undefined;
    if (this.newest) this.newest.newer = node;
    else this.oldest = node;
    this.newest = node;
    // Evicted through the list: a lookup of the old key first would hash it once more for nothing.
    while (this.size > this.limit && this.oldest) {
      const oldest = this.oldest;
      this.unlink(oldest);
      this.forget(oldest);
    }
  }

  /** Makes `node` the most recently used. */
  protected touch(node: N): void {
    if (node === this.newest) return;
    this.unlink(node);
    node.older = this.newest;
    node.newer = undefined;
    if (this.newest) this.newest.newer = node;
    else this.oldest = node;
    this.newest = node;
  }

  protected unlink(node: N): void {
    if (node.older) node.older.newer = node.newer;
    else this.oldest = node.newer as N | undefined;
    if (node.newer) node.newer.older = node.older;
    else this.newest = node.older as N | undefined;
    node.older = undefined;
    node.newer = undefined;
  }

  protected clearList(): void {
    this.oldest = undefined;
    this.newest = undefined;
  }
}

interface KeyedNode<K, V> extends Linked<V> {
  key: K;
}

export class LruMap<K, V> extends RecencyList<V, KeyedNode<K, V>> {
  private readonly nodes = new Map<K, KeyedNode<K, V>>();

  get(key: K): V | undefined {
    const node = this.nodes.get(key);
    if (!node) return undefined;
    this.touch(node);
    return node.value;
  }

  /** The value for `key`, created with `make` when absent. */
  getOrCreate(key: K, make: () => V): V {
    const node = this.nodes.get(key);
    if (node) {
      this.touch(node);
      return node.value;
    }
    const value = make();
    this.insert(key, value);
    return value;
  }

  set(key: K, value: V): void {
    const found = this.nodes.get(key);
    if (found) {
      found.value = value;
      this.touch(found);
      return;
    }
    this.insert(key, value);
  }

  delete(key: K): boolean {
    const node = this.nodes.get(key);
    if (!node) return false;
    this.unlink(node);
    this.nodes.delete(key);
    return true;
  }

  /** Entries from the least to the most recently used, as they are now (safe to change the map meanwhile). */
  entries(): IterableIterator<[K, V]> {
    const all: [K, V][] = [];
    for (let node = this.oldest; node; node = node.newer as KeyedNode<K, V> | undefined)
      all.push([node.key, node.value]);
    return all.values();
  }

  clear(): void {
    this.nodes.clear();
    this.clearList();
  }

  get size(): number {
    return this.nodes.size;
  }

  protected forget(node: KeyedNode<K, V>): void {
    this.nodes.delete(node.key);
  }

  private insert(key: K, value: V): void {
    const node: KeyedNode<K, V> = { key, value, older: undefined, newer: undefined };
    this.nodes.set(key, node);
    this.append(node);
  }
}

interface PathNode<V> extends Linked<V> {
  a: string;
  b: string;
  c: string;
}

/**
 * An LruMap keyed by three strings (workspace, room, person, say; "" where a key has two), kept as
 * maps of maps. Joined into one key, the parts made a new string for every lookup, which the Map then
 * had to flatten and hash: most of these maps' cost per message. Each part here is a string the
 * message already has, hashed once.
 */
export class PathLruMap<V> extends RecencyList<V, PathNode<V>> {
  private readonly root = new Map<string, Map<string, Map<string, PathNode<V>>>>();
  private count = 0;

  get(a: string, b: string, c: string): V | undefined {
    const node = this.root.get(a)?.get(b)?.get(c);
    if (!node) return undefined;
    this.touch(node);
    return node.value;
  }

  /** The value for the key, created with `make` when absent. */
  getOrCreate(a: string, b: string, c: string, make: () => V): V {
    const node = this.root.get(a)?.get(b)?.get(c);
    if (node) {
      this.touch(node);
      return node.value;
    }
    const value = make();
    this.insert(a, b, c, value);
    return value;
  }

  set(a: string, b: string, c: string, value: V): void {
    const node = this.root.get(a)?.get(b)?.get(c);
    if (node) {
      node.value = value;
      this.touch(node);
      return;
    }
    this.insert(a, b, c, value);
  }

  delete(a: string, b: string, c: string): boolean {
    const node = this.root.get(a)?.get(b)?.get(c);
    if (!node) return false;
    this.unlink(node);
    this.forget(node);
    return true;
  }

  /** The entries whose key starts with `a`, from the least to the most recently used, as `[b, c, value]`. */
  entriesUnder(a: string): [string, string, V][] {
    const found: [string, string, V][] = [];
    for (let node = this.oldest; node; node = node.newer as PathNode<V> | undefined)
      if (node.a === a) found.push([node.b, node.c, node.value]);
    return found;
  }

  clear(): void {
    this.root.clear();
    this.count = 0;
    this.clearList();
  }

  get size(): number {
    return this.count;
  }

  protected forget(node: PathNode<V>): void {
    const byB = this.root.get(node.a)!;
    const byC = byB.get(node.b)!;
    byC.delete(node.c);
    this.count--;
    // Empty inner maps go too: the size bounds every level.
    if (byC.size > 0) return;
    byB.delete(node.b);
    if (byB.size === 0) this.root.delete(node.a);
  }

  private insert(a: string, b: string, c: string, value: V): void {
    let byB = this.root.get(a);
    if (!byB) {
      byB = new Map();
      this.root.set(a, byB);
    }
    let byC = byB.get(b);
    if (!byC) {
      byC = new Map();
      byB.set(b, byC);
    }
    const node: PathNode<V> = { a, b, c, value, older: undefined, newer: undefined };
    byC.set(c, node);
    this.count++;
    this.append(node);
  }
}
