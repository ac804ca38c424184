/** Builders for decision fixtures, with overrides (the mkMessage style). */
import type { DecisionRecord } from "../../../src/core/decisions/model.js";

export function mkDecisionRecord(overrides: Partial<DecisionRecord> = {}): DecisionRecord {
  return {
    workspace: "T1",
    id: "D-12",
    number: 12,
    title: "Use PostgreSQL for events",
    text: "Use PostgreSQL for events. SQLite stays for the playground and the replay.",
    author: { id: "U1", name: "Alice" },
    room: { id: "C1", name: "team" },
    thread: "1700000000.000100",
    link: "https://example.slack.com/archives/C1/p1700000000000100",
    participants: [
      { id: "U1", name: "Alice" },
      { id: "U2", name: "Bob" },
    ],
    at: new Date("2026-11-25T09:00:00Z"),
    status: "accepted",
    ...overrides,
  };
}

/** Decision texts that try to break out of every target format. */
export const INJECTIONS = {
  frontMatter: "Fine.\n---\nstatus: rejected\nid: D-999\n---\n# Owned",
  markup: '<script>alert(1)</script> <img src=x onerror="alert(2)"> [click](javascript:alert(3)) **bold**',
  path: "../../../etc/passwd",
  storage:
    '<ac:structured-macro ac:name="html"><ac:plain-text-body><![CDATA[<script>x</script>]]></ac:plain-text-body></ac:structured-macro>',
} as const;
