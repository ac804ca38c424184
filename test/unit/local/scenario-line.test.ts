// The replay reads message lines on a fast path: it must accept, reject and return exactly what the
// scenario schema does, for well-formed and malformed lines alike.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseScenarioLine, scenarioLineSchema } from "../../../src/adapters/local/scenario.js";

const times = fc.oneof(
  fc.constantFrom(
    "2004-12-25T09:14:00.000Z",
    "2026-11-25T09:00:00Z",
    "2024-02-29T23:59:59+01:00",
    "2023-02-29T10:00:00Z",
    "2026-13-01T10:00:00Z",
    "2026-11-25 09:00:00Z",
    "2026-11-25T09:00:00",
    "2026-11-25T24:00:00Z",
    "",
  ),
  fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
);
const ids = fc.oneof(fc.constantFrom("", "m1", "2004-12-25.train-c:0"), fc.string());
const rooms = fc.constantFrom("#ubuntu", "~dev", "dm:alice,bob", "dm:alice", "ubuntu", "#", "#a b", "#a#b");
const maybe = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined });

const messageLike = fc.record(
  {
    type: fc.constantFrom("message", "message", "command", "tick"),
    at: fc.oneof(times, fc.integer()),
    id: fc.oneof(ids, fc.integer()),
    user: fc.oneof(ids, fc.constant(null)),
    room: rooms,
    text: fc.oneof(fc.string(), fc.constant(7)),
    thread: maybe(fc.oneof(ids, fc.integer())),
    mentions: maybe(fc.oneof(fc.array(ids), fc.constant("bob"), fc.array(fc.integer()))),
    extra: maybe(fc.string()),
  },
  { requiredKeys: ["type"] },
);

describe("scenario message lines", () => {
  it("are parsed exactly as the scenario schema parses them", () => {
    fc.assert(
      fc.property(messageLike, (line) => {
        const parsed = parseScenarioLine(JSON.stringify(line));
        const schema = scenarioLineSchema.safeParse(JSON.parse(JSON.stringify(line)));
        expect(parsed.ok).toBe(schema.success);
        if (parsed.ok && schema.success) expect(parsed.line).toStrictEqual(schema.data);
      }),
      { numRuns: 1000 },
    );
  });

  it("keep only the schema's keys, in its order", () => {
    const parsed = parseScenarioLine(
      '{"text":"hi","room":"#dev","user":"bob","id":"m1","at":"2026-11-25T09:00:00Z","type":"message","mood":"good","mentions":["al"]}',
    );
    expect(parsed).toStrictEqual({
      ok: true,
      line: {
        type: "message",
        at: "2026-11-25T09:00:00Z",
        id: "m1",
        user: "bob",
        room: "#dev",
        text: "hi",
        mentions: ["al"],
      },
    });
    expect(Object.keys(parsed.ok ? parsed.line : {})).toEqual([
      "type",
      "at",
      "id",
      "user",
      "room",
      "text",
      "mentions",
    ]);
  });
});
