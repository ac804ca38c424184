import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { LruMap } from "../../../src/core/lru-map.js";

/** The obvious LRU, for comparison: a Map whose order is recency, re-inserting on every use. */
class ReferenceLru {
  readonly map = new Map<number, number>();
  constructor(private readonly limit: number) {}
  get(key: number): number | undefined {
    const value = this.map.get(key);
    if (value !== undefined) {
      this.map.delete(key);
      this.map.set(key, value);
    }
    return value;
  }
  set(key: number, value: number): void {
    this.map.delete(key);
    this.map.set(key, value);
    while (this.map.size > this.limit) this.map.delete(this.map.keys().next().value as number);
  }
}

const operation = fc.oneof(
  fc.record({ op: fc.constant("get" as const), key: fc.integer({ min: 0, max: 12 }) }),
  fc.record({ op: fc.constant("set" as const), key: fc.integer({ min: 0, max: 12 }), value: fc.integer() }),
  fc.record({ op: fc.constant("delete" as const), key: fc.integer({ min: 0, max: 12 }) }),
  fc.record({
    op: fc.constant("getOrCreate" as const),
    key: fc.integer({ min: 0, max: 12 }),
    value: fc.integer(),
  }),
);

describe("LruMap", () => {
  it("forgets the least recently used entry first, exactly as a recency-ordered Map would", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 6 }), fc.array(operation, { maxLength: 200 }), (limit, ops) => {
        const lru = new LruMap<number, number>(limit);
        const ref = new ReferenceLru(limit);
        for (const o of ops) {
          if (o.op === "get") expect(lru.get(o.key)).toBe(ref.get(o.key));
          else if (o.op === "set") {
            lru.set(o.key, o.value);
            ref.set(o.key, o.value);
          } else if (o.op === "delete") expect(lru.delete(o.key)).toBe(ref.map.delete(o.key));
          else {
            const expected = ref.get(o.key) ?? o.value;
            if (!ref.map.has(o.key)) ref.set(o.key, o.value);
            expect(lru.getOrCreate(o.key, () => o.value)).toBe(expected);
          }
          expect(lru.size).toBeLessThanOrEqual(limit);
          expect([...lru.entries()]).toEqual([...ref.map.entries()]);
        }
      }),
    );
  });

  it("can be changed while its entries are being read", () => {
    const lru = new LruMap<string, number>(10);
    for (const [i, k] of ["a", "b", "c"].entries()) lru.set(k, i);
    const seen = [];
    for (const [key] of lru.entries()) {
      seen.push(key);
      lru.delete(key);
    }
    expect(seen).toEqual(["a", "b", "c"]);
    expect(lru.size).toBe(0);
  });
});
