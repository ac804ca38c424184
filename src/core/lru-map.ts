/**
 * A Map that forgets its least recently used entries beyond a size. The features keep per-room,
 * per-thread and per-person state in memory, and it must not grow with the length of the history.
 *
 * Recency is a doubly linked list beside the Map: a read moves one node, where deleting and
 * re-inserting the key (the usual Map-order trick) costs two more hash operations and table churn,
 * and reads happen on every message.
 */
interface Node<K, V> {
  key: K;
  value: V;
  older: Node<K, V> | undefined;
  newer: Node<K, V> | undefined;
}

export class LruMap<K, V> {
  private readonly nodes = new Map<K, Node<K, V>>();
  private oldest: Node<K, V> | undefined;
  private newest: Node<K, V> | undefined;

  constructor(private readonly limit: number) {}

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
    for (let node = this.oldest; node; node = node.newer) all.push([node.key, node.value]);
    return all.values();
  }

  clear(): void {
    this.nodes.clear();
    this.oldest = undefined;
    this.newest = undefined;
  }

  get size(): number {
    return this.nodes.size;
  }

  /** Adds a key known to be absent as the most recently used, and forgets the least recent beyond the limit. */
  private insert(key: K, value: V): void {
    const node: Node<K, V> = { key, value, older: this.newest, newer: undefined };
    if (this.newest) this.newest.newer = node;
    else this.oldest = node;
    this.newest = node;
    this.nodes.set(key, node);
    // Evicted through the list: a lookup of the old key first would hash it once more for nothing.
    while (this.nodes.size > this.limit && this.oldest) {
      const oldest = this.oldest;
      this.unlink(oldest);
      this.nodes.delete(oldest.key);
    }
  }

  /** Makes `node` the most recently used. */
  private touch(node: Node<K, V>): void {
    if (node === this.newest) return;
    this.unlink(node);
    node.older = this.newest;
    node.newer = undefined;
    if (this.newest) this.newest.newer = node;
    else this.oldest = node;
    this.newest = node;
  }

  private unlink(node: Node<K, V>): void {
    if (node.older) node.older.newer = node.newer;
    else this.oldest = node.newer;
    if (node.newer) node.newer.older = node.older;
    else this.newest = node.older;
    node.older = undefined;
    node.newer = undefined;
  }
}
