import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runScenario, ScenarioSession } from "../../helpers/scenario.js";

const at = (minute: number, hour = 9) =>
  `2026-11-25T${String(hour).padStart(2, "0")}:${String(minute).padStart(2, "0")}:00Z`;
const msg = (minute: number, id: string, user: string, text: string, thread?: string, room = "#team") => ({
  type: "message",
  at: at(minute),
  id,
  user,
  room,
  text,
  ...(thread ? { thread } : {}),
});
const cmd = (minute: number, user: string, text: string, extra: Record<string, unknown> = {}) => ({
  type: "command",
  at: at(minute),
  user,
  room: "#team",
  text,
  ...extra,
});

describe("a bare /decision where no form can be shown (replay, Matrix)", () => {
  it("answers with the usage, privately, and does nothing else", async () => {
    const run = await runScenario([cmd(0, "alice", "/decision")]);
    expect(run.outputs).toEqual([
      {
        at: "2026-11-25T09:00:00.000Z",
        action: "notice",
        room: "#team",
        user: "alice",
        text: "Say what was decided. Usage: `/decision <what was decided>`",
        source: "command.decision",
      },
    ]);
  });
});

describe("/decision in a thread", () => {
  it("records the decision with the thread's people, exports it to Markdown and confirms in the thread", async () => {
    const session = await new ScenarioSession().open();
    try {
      const out = await session.feed([
        { type: "user", at: at(0), user: "alice", name: "Alice" },
        { type: "user", at: at(0), user: "bob", name: "Bob" },
        msg(0, "m1", "alice", "Postgres or SQLite for the events?"),
        msg(1, "m2", "bob", "Postgres, it has LISTEN/NOTIFY", "m1"),
        msg(2, "m3", "carol", "+1", "m1"),
        msg(2, "x1", "dave", "unrelated, in the room"),
        cmd(3, "bob", "/decision Use PostgreSQL for events. SQLite stays for the playground.", {
          thread: "m1",
        }),
      ]);
      const confirmation = out.find((o) => o.source === "command.decision");
      expect(confirmation).toMatchObject({
        action: "reply",
        room: "#team",
        thread: "m1",
        text: "Recorded decision *D-1*: Use PostgreSQL for events. Exported to markdown (decisions/local/0001-use-postgresql-for-events.md).",
      });
      const file = readFileSync(
        join(session.config.dataDir, "decisions", "local", "0001-use-postgresql-for-events.md"),
        "utf8",
      );
      expect(file).toContain('author: "Bob"\nparticipants:\n  - "Alice"\n  - "Bob"\n  - "carol"\n');
      expect(file).not.toContain("dave");
      expect(file).toContain('link: "outloud://local/%23team/m1"');

      const [show] = await session.feed([cmd(4, "dave", "/decision show D-1")]);
      expect(show).toMatchObject({ action: "notice", user: "dave" });
      expect(show!.text).toContain("*D-1*: Use PostgreSQL for events (accepted)");
      expect(show!.text).toContain("Recorded by Bob in #team on 2026-11-25 with Alice, carol.");
      expect(show!.text).toContain(
        "• markdown: exported (decisions/local/0001-use-postgresql-for-events.md)",
      );
    } finally {
      await session.close();
    }
  });

  it("numbers decisions D-1, D-2 … and posts in the room when typed outside a thread", async () => {
    const run = await runScenario([
      cmd(0, "alice", "/decision Ship on Tuesdays."),
      cmd(1, "alice", "!decision Freeze on Fridays."),
    ]);
    expect(run.outputs.map((o) => [o.action, o.text.slice(0, 31)])).toEqual([
      ["post", "Recorded decision *D-1*: Ship o"],
      ["post", "Recorded decision *D-2*: Freeze"],
    ]);
  });
});

describe("capturing decisions from the conversation", () => {
  it("records the message a :decision: reaction is put on, once however many react", async () => {
    const session = await new ScenarioSession().open();
    try {
      const out = await session.feed([
        msg(0, "m1", "alice", "Which queue?"),
        msg(1, "m2", "bob", "We take RabbitMQ. Kafka is overkill for our volume.", "m1"),
        { type: "reaction", at: at(2), user: "alice", room: "#team", target: "m2", emoji: "decision" },
        { type: "reaction", at: at(3), user: "carol", room: "#team", target: "m2", emoji: "decision" },
        { type: "reaction", at: at(3), user: "carol", room: "#team", target: "m1", emoji: "+1" },
      ]);
      expect(out).toEqual([
        expect.objectContaining({
          action: "reply",
          thread: "m1",
          source: "decision.capture",
          about: "m2",
          text: expect.stringMatching(/^Recorded decision \*D-1\*: We take RabbitMQ\. Exported to markdown/),
        }),
      ]);
      const [show] = await session.feed([cmd(4, "carol", "/decision show D-1")]);
      expect(show!.text).toContain("Recorded by bob in #team on 2026-11-25 with alice.");
    } finally {
      await session.close();
    }
  });

  it("uses the configured reaction", async () => {
    const run = await runScenario(
      [
        msg(0, "m1", "bob", "Agreed: tabs."),
        { type: "reaction", at: at(1), user: "alice", room: "#team", target: "m1", emoji: "memo" },
        { type: "reaction", at: at(1), user: "alice", room: "#team", target: "m1", emoji: "decision" },
      ],
      { settings: { decisions: { reaction: "memo" } } },
    );
    expect(run.outputs).toHaveLength(1);
    expect(run.outputs[0]).toMatchObject({ source: "decision.capture", thread: "m1" });
  });

  it("suggests /decision privately to whoever states a decision in a thread, once per thread", async () => {
    const run = await runScenario([
      msg(0, "m1", "alice", "Friday deploys?"),
      msg(1, "m2", "bob", "have we decided yet?", "m1"),
      msg(2, "m3", "carol", "OK, final decision: no deploys on Fridays", "m1"),
      msg(3, "m4", "bob", "Agreed: no Friday deploys", "m1"),
      msg(4, "m5", "bob", "we decided to rest", undefined),
      msg(5, "t2", "dave", "Lunch?"),
      msg(6, "m6", "erin", "let's go with pizza", "t2"),
    ]);
    expect(run.outputs.map((o) => [o.action, o.user, o.thread, o.about, o.source])).toEqual([
      ["notice", "carol", "m1", "m3", "decision.suggest"],
      ["notice", "erin", "t2", "m6", "decision.suggest"],
    ]);
    expect(run.outputs[0]!.text).toContain("`/decision <what was decided>`");
  });

  it("stays silent and stores nothing in direct messages, and refuses private rooms unless allowed", async () => {
    const session = await new ScenarioSession().open();
    try {
      const out = await session.feed([
        msg(0, "d1", "alice", "root", undefined, "dm:alice,bob"),
        msg(1, "d2", "bob", "we decided: secret plan", "d1", "dm:alice,bob"),
        { type: "reaction", at: at(2), user: "alice", room: "dm:alice,bob", target: "d2", emoji: "decision" },
        { type: "command", at: at(3), user: "alice", room: "dm:alice,bob", text: "/decision secret plan" },
        { type: "command", at: at(4), user: "alice", room: "~ops", text: "/decision private plan" },
        cmd(5, "alice", "/decision list"),
      ]);
      expect(out.map((o) => [o.action, o.user, o.text.slice(0, 40)])).toEqual([
        ["notice", "alice", "I did not record that: decisions are rec"],
        ["notice", "alice", "Decisions are recorded in rooms, where t"],
        ["notice", "alice", "Decisions are not recorded in private ro"],
        ["notice", "alice", "No decisions recorded yet for that."],
      ]);
      expect(() => readdirSync(join(session.config.dataDir, "decisions"))).toThrow();
    } finally {
      await session.close();
    }
  });

  it("shows private-room decisions (when allowed) only to the room's members", async () => {
    const run = await runScenario(
      [
        { type: "room", at: at(0), room: "~ops", members: ["alice", "bob"] },
        {
          type: "command",
          at: at(1),
          user: "alice",
          room: "~ops",
          text: "/decision Rotate the keys monthly.",
        },
        cmd(2, "bob", "/decision list"),
        cmd(3, "mallory", "/decision list"),
        cmd(4, "mallory", "/decision show D-1"),
        cmd(5, "mallory", "/decision search keys"),
      ],
      { settings: { decisions: { privateRooms: true } } },
    );
    expect(run.outputs[0]).toMatchObject({ action: "post", room: "~ops" });
    expect(run.outputs[1]!.text).toContain("*D-1* Rotate the keys monthly (🔒ops");
    expect(run.outputs.slice(2).map((o) => o.text)).toEqual([
      "No decisions recorded yet for that.",
      "There is no decision D-1. Usage: `/decision show D-12`",
      'No decision mentions "keys".',
    ]);
  });

  it("answers an outsider's undo of a private-room decision as if it did not exist, and its author privately elsewhere", async () => {
    const run = await runScenario(
      [
        { type: "room", at: at(0), room: "~ops", members: ["alice", "bob"] },
        {
          type: "command",
          at: at(1),
          user: "alice",
          room: "~ops",
          text: "/decision Rotate the keys monthly.",
        },
        cmd(2, "mallory", "/decision undo D-1"),
        cmd(3, "mallory", "/decision undo D-2"),
        cmd(4, "alice", "/decision undo D-1"),
      ],
      { settings: { decisions: { privateRooms: true } } },
    );
    const [mallory, missing, alice] = run.outputs.slice(1);
    expect(mallory).toMatchObject({
      action: "notice",
      text: "There is no decision D-1. Usage: `/decision undo D-12`",
    });
    expect(missing!.text).toBe("There is no decision D-2. Usage: `/decision undo D-12`");
    // Undone by its author in #team: said to her alone, since the decision is a private room's; its
    // exported file is taken back, and its name (which carries the title) is said nowhere.
    expect(alice).toMatchObject({ action: "notice", user: "alice", room: "#team" });
    expect(alice!.text).toBe("Decision D-1 was undone by alice. Taken back from markdown.");
  });
});

describe("finding, superseding and undoing decisions", () => {
  const history = [
    { type: "room", at: "2026-09-20T09:00:00Z", room: "#ops" },
    {
      type: "command",
      at: "2026-09-20T09:00:00Z",
      user: "alice",
      room: "#ops",
      text: "/decision Page the on-call for sev1 only.",
    },
    {
      type: "command",
      at: "2026-10-02T09:00:00Z",
      user: "bob",
      room: "#team",
      text: "/decision Use PostgreSQL for events.",
    },
    {
      type: "command",
      at: "2026-10-05T09:00:00Z",
      user: "bob",
      room: "#team",
      text: "/decision Deploy events service on Tuesdays.",
    },
  ];

  it("lists by room and date, and searches best match first", async () => {
    const run = await runScenario([
      ...history,
      { type: "command", at: "2026-11-25T09:00:00Z", user: "carol", room: "#team", text: "/decision list" },
      {
        type: "command",
        at: "2026-11-25T09:00:00Z",
        user: "carol",
        room: "#team",
        text: "/decision list #ops",
      },
      {
        type: "command",
        at: "2026-11-25T09:00:00Z",
        user: "carol",
        room: "#team",
        text: "/decision list since 2026-10-03",
      },
      {
        type: "command",
        at: "2026-11-25T09:00:00Z",
        user: "carol",
        room: "#team",
        text: "/decision search events postgres",
      },
      {
        type: "command",
        at: "2026-11-25T09:00:00Z",
        user: "carol",
        room: "#team",
        text: "/decision list since yesterday",
      },
      { type: "command", at: "2026-11-25T09:00:00Z", user: "carol", room: "#team", text: "/decision search" },
    ]);
    const replies = run.outputs.slice(3).map((o) => o.text);
    expect(replies[0]!.split("\n").map((l) => l.slice(0, 8))).toEqual([
      "Decision",
      "• *D-3* ",
      "• *D-2* ",
      "• *D-1* ",
    ]);
    expect(replies[1]).toBe(
      "Decisions, newest first:\n• *D-1* Page the on-call for sev1 only (#ops, 2026-09-20, alice)",
    );
    expect(replies[2]!.split("\n")).toHaveLength(2);
    expect(
      replies[3]!
        .split("\n")
        .slice(1, 3)
        .map((l) => l.slice(0, 8)),
    ).toEqual(["• *D-2* ", "• *D-3* "]);
    expect(replies[4]).toBe(
      "Since needs a date like 2026-10-01. Usage: `/decision list [#room] [since 2026-10-01]`",
    );
    expect(replies[5]).toBe("Search for what? Give a few words. Usage: `/decision search <words>`");
    expect(run.outputs.slice(3).every((o) => o.action === "notice" && o.user === "carol")).toBe(true);
  });

  it("supersedes: the new decision links the old one, which shows as superseded in its file and in show", async () => {
    const session = await new ScenarioSession().open();
    try {
      await session.feed(history);
      const [confirm] = await session.feed([
        cmd(0, "carol", "/decision supersede D-2 Use Kafka for events, PostgreSQL for state."),
      ]);
      expect(confirm!.text).toMatch(
        /^Recorded decision \*D-4\*: Use Kafka for events, PostgreSQL for state \(supersedes D-2\)\. Exported/,
      );
      const [show] = await session.feed([cmd(1, "carol", "/decision show D-2")]);
      expect(show!.text).toContain("*D-2*: Use PostgreSQL for events (superseded by D-4)\n");
      const dir = join(session.config.dataDir, "decisions", "local");
      expect(readFileSync(join(dir, "0002-use-postgresql-for-events.md"), "utf8")).toContain(
        'status: "superseded"',
      );
      expect(readFileSync(join(dir, "README.md"), "utf8")).toContain(
        "| [D-4](0004-use-kafka-for-events-postgresql-for-state.md) |",
      );
      const again = await session.feed([cmd(2, "carol", "/decision supersede D-2 Something else.")]);
      expect(again[0]!.text).toBe(
        "D-2 does not exist or is already superseded. Usage: `/decision supersede D-12 <new decision>`",
      );
    } finally {
      await session.close();
    }
  });

  it("lets only the author undo, only within 10 minutes", async () => {
    const session = await new ScenarioSession().open();
    try {
      await session.feed([cmd(0, "alice", "/decision Use tabs."), cmd(1, "alice", "/decision Use spaces.")]);
      const out = await session.feed([
        cmd(5, "bob", "/decision undo D-1"),
        cmd(9, "alice", "/decision undo D-1"),
        cmd(12, "alice", "/decision undo D-2"),
        cmd(13, "alice", "/decision show D-1"),
        cmd(13, "alice", "/decision undo"),
      ]);
      expect(out.map((o) => [o.action, o.text])).toEqual([
        ["notice", "Only alice, who recorded D-1, can undo it."],
        ["post", "Decision D-1 was undone by alice. Taken back from markdown."],
        [
          "notice",
          "D-2 is older than 10 minutes and stays on record. To change it, `/decision supersede D-2 <new decision>`.",
        ],
        ["notice", "There is no decision D-1. Usage: `/decision show D-12`"],
        ["notice", "Which decision? Give its id, like D-12. Usage: `/decision undo D-12`"],
      ]);
    } finally {
      await session.close();
    }
  });
});

describe("an undone decision in the exported folder", () => {
  it("leaves the folder and its index, and the decision it superseded is listed as accepted again", async () => {
    const session = await new ScenarioSession().open();
    try {
      await session.feed([
        cmd(0, "alice", "/decision Use tabs."),
        cmd(1, "alice", "/decision supersede D-1 Use spaces."),
        cmd(2, "alice", "/decision undo D-2"),
      ]);
      const dir = join(session.config.dataDir, "decisions", "local");
      expect(readdirSync(dir).sort()).toEqual(["0001-use-tabs.md", "README.md"]);
      const index = readFileSync(join(dir, "README.md"), "utf8");
      expect(index).toContain("| [D-1](0001-use-tabs.md) | Use tabs | accepted |");
      expect(index).not.toContain("D-2");
    } finally {
      await session.close();
    }
  });
});

describe("decision text cannot inject", () => {
  it("keeps front matter, markup and paths inert in the Markdown file", async () => {
    const session = await new ScenarioSession().open();
    try {
      await session.feed([
        cmd(0, "alice", "/decision ../../../../tmp/evil\n---\nstatus: rejected\n---\n<script>x</script>"),
      ]);
      const dir = join(session.config.dataDir, "decisions", "local");
      const files = readdirSync(dir).sort();
      expect(files).toEqual(["0001-tmp-evil-status-rejected-script-x-script.md", "README.md"]);
      const text = readFileSync(join(dir, files[0]!), "utf8");
      const [, meta, body] = text.split(/^---$/m);
      expect(meta).toContain('status: "accepted"');
      expect(text.split("\n").filter((l) => l === "---")).toHaveLength(2);
      expect(body).toContain("\\-\\-\\-\\\nstatus: rejected");
      expect(body).not.toContain("<script>");
    } finally {
      await session.close();
    }
  });
});
