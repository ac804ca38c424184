import { describe, expect, it } from "vitest";
import { formView, readSubmission } from "../../../src/adapters/slack/forms.js";
import type { FormAction } from "../../../src/core/actions.js";
import { decisionForm } from "../../../src/core/decisions/form.js";
import { mkViewSubmission } from "../../helpers/fake-slack-requests.js";

const room = { workspace: "T1", id: "C1", name: "team", kind: "public" as const };
const at = new Date("2026-11-25T09:00:00Z");

function action(text: string): FormAction {
  return {
    workspace: "T1",
    source: "decision.capture",
    action: "form",
    room,
    user: "UB",
    thread: "1700000000.000100",
    form: decisionForm({ id: "1700000000.000100", user: "UA", text }),
    text: "I could not open the form.",
  };
}

describe("core forms as Slack modals", () => {
  it("comes back from Slack as the same form, with what the person typed and where it was asked for", () => {
    const view = formView(action("Use PostgreSQL. It has LISTEN/NOTIFY."))!;
    const body = mkViewSubmission({
      team: "T1",
      user: "UB",
      view: view as unknown as Record<string, unknown>,
      values: { title: "Events go to PostgreSQL" },
    }) as { view: Parameters<typeof readSubmission>[0] };
    expect(readSubmission(body.view, "T1", "UB", at)).toEqual({
      kind: "decision",
      workspace: "T1",
      room,
      thread: "1700000000.000100",
      user: "UB",
      values: { title: "Events go to PostgreSQL", text: "Use PostgreSQL. It has LISTEN/NOTIFY." },
      context: { message: "1700000000.000100", author: "UA" },
      at,
    });
  });

  it("is not shown when a prefilled value is longer than Slack's inputs take, rather than cut", () => {
    expect(formView(action("a".repeat(3001)))).toBeUndefined();
    expect(formView(action("a".repeat(3000)))).toBeDefined();
  });

  it("ignores submissions of views it did not open", () => {
    for (const private_metadata of [undefined, "", "not json", '{"kind":"decision"}', '{"kind":1,"room":{}}'])
      expect(readSubmission({ private_metadata }, "T1", "UB", at)).toBeUndefined();
    const wrongKind = JSON.stringify({ kind: "decision", room: { id: "C1", name: "team", kind: "lobby" } });
    expect(readSubmission({ private_metadata: wrongKind }, "T1", "UB", at)).toBeUndefined();
  });
});
