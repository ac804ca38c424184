import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { LruMap, PathLruMap } from "../../../src/core/lru-map.js";

/** The obvious LRU, for comparison: a Map whose order is recency, re-inserting on every use. */
class ReferenceLru<K = number> {
  readonly map = new Map<K, number>();
  constructor(private readonly limit: number) {}
  get(key: K): number | undefined {
    const value = this.map.get(key);
    if (value !== undefined) {
      this.map.delete(key);
      this.map.set(key, value);
    }
    return value;
  }
  set(key: K, value: number): void {
    this.map.delete(key);
    this.map.set(key, value);
    while (this.map.size > this.limit) this.map.delete(this.map.keys().next().value as K);
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

// Few parts, so that paths share their first parts and inner maps empty and fill again.
const part = fc.constantFrom("", "a", "b");
const path = fc.tuple(part, part, part);
const pathOperation = fc.oneof(
  fc.record({ op: fc.constant("get" as const), key: path }),
  fc.record({ op: fc.constant("set" as const), key: path, value: fc.integer() }),
  fc.record({ op: fc.constant("delete" as const), key: path }),
  fc.record({ op: fc.constant("getOrCreate" as const), key: path, value: fc.integer() }),
);

describe("PathLruMap", () => {
  it("forgets exactly what an LruMap of the joined keys would, lists a first part's entries in order of use, and holds no more than its limit", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 6 }),
        fc.array(pathOperation, { maxLength: 200 }),
        (limit, ops) => {
          const lru = new PathLruMap<number>(limit);
          const ref = new ReferenceLru<string>(limit);
          for (const o of ops) {
            const [a, b, c] = o.key;
            const joined = o.key.join("/");
            if (o.op === "get") expect(lru.get(a, b, c)).toBe(ref.get(joined));
            else if (o.op === "set") {
              lru.set(a, b, c, o.value);
              ref.set(joined, o.value);
            } else if (o.op === "delete") expect(lru.delete(a, b, c)).toBe(ref.map.delete(joined));
            else {
              const expected = ref.get(joined) ?? o.value;
              if (!ref.map.has(joined)) ref.set(joined, o.value);
              expect(lru.getOrCreate(a, b, c, () => o.value)).toBe(expected);
            }
            expect(lru.size).toBe(ref.map.size);
            // A first part's entries, in the reference's order of use.
            const underA = [...ref.map.entries()]
              .filter(([joined]) => joined.startsWith("a/"))
              .map(([joined, value]) => [...joined.split("/").slice(1), value]);
            expect(lru.entriesUnder("a")).toEqual(underA);
          }
          // Everything the reference still holds is found, with its value.
          for (const [joined, value] of [...ref.map.entries()]) {
            const [a, b, c] = joined.split("/") as [string, string, string];
            expect(lru.get(a, b, c)).toBe(value);
          }
        },
      ),
    );
  });
});
