import { describe, expect, it } from "vitest";
import { command, ok, problem } from "../../../src/core/commands/command.js";
import { CommandTable } from "../../../src/core/commands/registry.js";
import type { CommandInvocation } from "../../../src/core/model.js";

const invocation = (text: string): CommandInvocation => ({
  workspace: "T1",
  room: { workspace: "T1", id: "#team", name: "team", kind: "public" },
  user: "alice",
  text,
  at: new Date("2026-11-25T09:00:00Z"),
});

function table(): CommandTable {
  const t = new CommandTable();
  t.describeRoot("rota", "the daily responder rota");
  t.add(
    command({
      path: ["rota", "time"],
      usage: "HH:MM",
      summary: "change the announcement time",
      parse: (args) =>
        args.length === 1 && /^\d\d:\d\d$/.test(args[0]!)
          ? ok(args[0]!)
          : problem("give one time like 10:00"),
      run: async (ctx, time) => ({
        kind: "public",
        text: `${ctx.invocation.user} moved the rota to ${time}`,
      }),
    }),
    command({
      path: ["rota"],
      usage: "",
      summary: "show the rota",
      parse: () => ok(null),
      run: async () => ({ kind: "private", text: "the rota" }),
    }),
    command({
      path: ["rota", "add"],
      usage: "@someone",
      summary: "add someone",
      parse: (args) => (args.length === 1 ? ok(args[0]!) : problem("name one person")),
      run: async (_ctx, who) =>
        who === "@zed"
          ? { kind: "error", problem: "nobody called @zed is here" }
          : { kind: "public", text: `added ${who}` },
    }),
  );
  return t;
}

describe("the command table", () => {
  it("dispatches by the longest matching word path", async () => {
    const result = await table().dispatch({ invocation: invocation("rota time 10:00"), prefix: "/" });
    expect(result.reply).toEqual({ kind: "public", text: "alice moved the rota to 10:00" });
  });

  it("answers a malformed command privately with the problem and the usage", async () => {
    const result = await table().dispatch({ invocation: invocation("rota time 25 o'clock"), prefix: "!" });
    expect(result.reply).toEqual({
      kind: "private",
      text: "Give one time like 10:00. Usage: `!rota time HH:MM`",
    });
  });

  it("turns an executor's expected failure into the same short usage reply", async () => {
    const result = await table().dispatch({ invocation: invocation("rota add @zed"), prefix: "/" });
    expect(result.reply).toEqual({
      kind: "private",
      text: "Nobody called @zed is here. Usage: `/rota add @someone`",
    });
  });

  it("generates help from the descriptions, with the platform's prefix", async () => {
    const result = await table().dispatch({ invocation: invocation("rota help"), prefix: "!" });
    expect(result.reply.kind).toBe("private");
    const text = (result.reply as { text: string }).text;
    expect(text).toContain("*!rota*: the daily responder rota");
    expect(text).toContain("`!rota time HH:MM`: change the announcement time");
    expect(text).toContain("`!rota add @someone`: add someone");
  });

  it("points an unknown command at the help instead of failing", async () => {
    const result = await table().dispatch({ invocation: invocation("rotaa who"), prefix: "/" });
    expect(result.reply).toEqual({ kind: "private", text: 'I don\'t know "/rotaa". Try `/outloud help`.' });
  });

  it("refuses to declare the same command twice", () => {
    const t = table();
    expect(() =>
      t.add(
        command({
          path: ["rota", "time"],
          usage: "",
          summary: "",
          parse: () => ok(null),
          run: async () => ({ kind: "silent" }),
        }),
      ),
    ).toThrow(/declared twice/);
  });
});

it("answers an unknown subcommand briefly and points at the help", async () => {
  const bare = new CommandTable();
  bare.add(
    command({
      path: ["outloud", "mute"],
      usage: "",
      summary: "mute",
      parse: () => ok(null),
      run: async () => ({ kind: "silent" }),
    }),
  );
  const unknown = await bare.dispatch({ invocation: invocation("outloud frobnicate"), prefix: "/" });
  expect(unknown.reply).toEqual({
    kind: "private",
    text: 'I don\'t know "/outloud frobnicate". Try `/outloud help`.',
  });
});

it("runs a bare root that is itself a command taking no arguments, and shows help for one that needs some", async () => {
  const t = new CommandTable();
  t.add(
    command({
      path: ["share"],
      usage: "[text]",
      summary: "repost",
      parse: (args) => ok(args.join(" ")),
      run: async (_ctx, text) => ({ kind: "public", text: text || "(the last question)" }),
    }),
    command({
      path: ["decision"],
      usage: "<text>",
      summary: "record",
      parse: (args) => (args.length ? ok(args.join(" ")) : problem("say what was decided")),
      run: async (_ctx, text) => ({ kind: "public", text }),
    }),
  );
  expect((await t.dispatch({ invocation: invocation("share"), prefix: "!" })).reply).toEqual({
    kind: "public",
    text: "(the last question)",
  });
  const help = (await t.dispatch({ invocation: invocation("decision"), prefix: "/" })).reply;
  expect(help.kind).toBe("private");
  expect((help as { text: string }).text).toContain("`/decision <text>`: record");
});

it("answers with a form only where the platform can show one, and with its usual answer elsewhere", async () => {
  const t = new CommandTable();
  const form = { kind: "note", title: "Write a note", submit: "Save", fields: [], context: {} };
  t.add(
    command({
      path: ["note"],
      usage: "<text>",
      summary: "keep a note",
      parse: (args) => ok(args.join(" ")),
      run: async (_ctx, text) =>
        text
          ? { kind: "public", text: `noted: ${text}` }
          : { kind: "form", form, otherwise: { kind: "error", problem: "say what to note" } },
    }),
  );
  const usage = { kind: "private", text: "Say what to note. Usage: `/note <text>`" };
  expect((await t.dispatch({ invocation: invocation("note"), prefix: "/" })).reply).toEqual(usage);
  const withForms = { ...invocation("note"), canOpenForm: true };
  expect((await t.dispatch({ invocation: withForms, prefix: "/" })).reply).toEqual({
    kind: "form",
    form,
    otherwise: usage,
  });
  // Typed in full, it needs no form anywhere.
  expect(
    (await t.dispatch({ invocation: { ...invocation("note milk"), canOpenForm: true }, prefix: "/" })).reply,
  ).toEqual({ kind: "public", text: "noted: milk" });
});
