/**
 * A small Slack workspace over two weeks, written as a real export ZIP: #payments (alice, bob) gets
 * a question from carol of another team (who joined to ask it), a long back-and-forth that never moves to a thread, a file
 * share, an edited message, an @channel, a late-evening mention of bob, decision language and
 * Outloud's own "Recorded decision" post; a private room and a DM hold text that must never appear.
 */
import {
  mkExportMessage as m,
  type SlackExportContent,
  slackTs,
  writeSlackExport,
} from "../../helpers/slack-export.js";

export const SECRET_TEXTS = ["PRIVATE-ROADMAP-7", "DM-PASSWORD-42"];
/** Public text that the report must not quote either: it shows figures, never messages. */
export const PUBLIC_TEXT = "refund a card payment";

const question = "2026-11-02T09:00:00Z";

export const FIXTURE: SlackExportContent = {
  users: [
    { id: "U01ALICE", name: "alice", real_name: "Alice", tz: "Europe/Madrid" },
    { id: "U02BOB", name: "bob", real_name: "Bob", tz: "America/New_York" },
    { id: "U03CAROL", name: "carol", real_name: "Carol", tz: "Europe/London" },
    { id: "U09OUTLOUD", name: "outloud", real_name: "Outloud", is_bot: true },
  ],
  channels: [
    { id: "C01PAY", name: "payments", members: ["U01ALICE", "U02BOB", "U03CAROL", "U09OUTLOUD"] },
    { id: "C02GEN", name: "general", members: ["U01ALICE", "U02BOB", "U03CAROL"] },
  ],
  groups: [{ id: "G01LEADS", name: "leads", members: ["U01ALICE", "U02BOB"] }],
  dms: [{ id: "D01AB", members: ["U01ALICE", "U02BOB"] }],
  days: {
    payments: {
      "2026-11-02": [
        m(question, {
          user: "U03CAROL",
          text: `How do I ${PUBLIC_TEXT}?`,
          reply_count: 1,
          thread_ts: slackTs(question),
        }),
        m("2026-11-02T09:45:00Z", {
          user: "U02BOB",
          text: "Use the refunds page",
          thread_ts: slackTs(question),
        }),
        // Six channel messages within minutes between two people: a conversation for a thread.
        ...[0, 2, 4, 6, 8, 10].map((min, i) =>
          m(`2026-11-02T10:${String(min).padStart(2, "0")}:00Z`, {
            user: i % 2 ? "U02BOB" : "U01ALICE",
            text: `step ${i} of the migration`,
          }),
        ),
        m("2026-11-02T11:00:00Z", {
          user: "U01ALICE",
          subtype: "file_share",
          text: "here is the plan",
          files: [{ id: "F01", name: "plan.pdf", mimetype: "application/pdf" }],
        }),
        m("2026-11-02T11:30:00Z", {
          user: "U02BOB",
          text: "We decided to go with Stripe for refunds.",
          edited: { user: "U02BOB", ts: slackTs("2026-11-02T11:31:00Z") },
        }),
        m("2026-11-02T11:32:00Z", {
          subtype: "bot_message",
          bot_id: "B09OUTLOUD",
          text: "Recorded decision *D-1*: Go with Stripe for refunds.",
        }),
        m("2026-11-02T14:00:00Z", { user: "U01ALICE", text: "<!channel> deploy freeze tonight" }),
        m("2026-11-02T23:30:00Z", { user: "U01ALICE", text: "<@U02BOB> can you look at this tomorrow" }),
        m("2026-11-02T08:00:00Z", {
          user: "U03CAROL",
          subtype: "channel_join",
          text: "<@U03CAROL> has joined",
        }),
      ],
    },
    leads: {
      "2026-11-03": [
        m("2026-11-03T10:00:00Z", { user: "U01ALICE", text: `the ${SECRET_TEXTS[0]} is ready` }),
        m("2026-11-03T10:05:00Z", { user: "U02BOB", text: "great" }),
      ],
    },
    D01AB: {
      "2026-11-03": [m("2026-11-03T12:00:00Z", { user: "U01ALICE", text: `it is ${SECRET_TEXTS[1]}` })],
    },
    general: {
      "2026-11-10": [
        m("2026-11-10T09:00:00Z", { user: "U01ALICE", text: "morning all" }),
        m("2026-11-10T09:05:00Z", {
          user: "U03CAROL",
          text: "morning",
          thread_ts: slackTs("2026-11-10T09:00:00Z"),
        }),
      ],
    },
  },
};

export function writeFixture(path: string): Promise<void> {
  return writeSlackExport(path, FIXTURE);
}
