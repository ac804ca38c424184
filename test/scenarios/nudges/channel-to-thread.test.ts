/**
 * How the channel → thread nudge reads a busy room: who answers whom. Each case is one rule of the
 * conversation model (docs/nudges.md, "How the channel → thread detector works").
 */
import { describe, expect, it } from "vitest";
import { runScenario } from "../../helpers/scenario.js";
import { at, msg } from "./helpers.js";

const suggestions = <T extends { source: string }>(outputs: T[]) =>
  outputs.filter((o) => o.source === "nudge.channel-to-thread");

/** A message at `minutes` and `seconds`; `to` becomes an explicit mention. */
function say(minutes: number, seconds: number, user: string, text: string, to?: string) {
  return { ...msg(minutes, user, "#help", text, to ? { mentions: [to] } : {}), at: at(minutes, seconds) };
}

describe("channel → thread: who answers whom", () => {
  it("does not take an ordinary word for a nick it begins (`the` is not theCarpenter)", async () => {
    const { outputs } = await runScenario([
      say(0, 0, "theCarpenter", "morning all"),
      say(0, 10, "ana", "is there a way to see the kernel log?"),
      say(0, 20, "bob", "ana: dmesg shows the kernel log", "ana"),
      say(0, 30, "ana", "that prints the whole thing, can I filter it?"),
      say(0, 40, "bob", "pipe it through grep"),
      say(0, 50, "ana", "what do I look for in the output?"),
      say(1, 0, "bob", "ana: the driver name, iwlwifi for example", "ana"),
    ]);
    expect(suggestions(outputs).map((s) => s.mentions)).toEqual([["ana", "bob"]]);
  });

  it("does not let a late answer without a name tip the suggestion; the next prompt one does", async () => {
    const lines = [
      say(0, 0, "bob", "deploy is red again"),
      say(0, 10, "ana", "bob: which step?", "bob"),
      say(0, 20, "bob", "ana: the migration", "ana"),
      say(0, 40, "ana", "bob: the one adding the index?", "bob"),
      say(1, 0, "bob", "yes"),
      // Three minutes later and without a name: it may answer bob, or be about something else.
      say(4, 0, "ana", "ok, reran it and it passed"),
      say(4, 10, "bob", "ana: great, thanks", "ana"),
    ];
    const { outputs } = await runScenario(lines);
    expect(suggestions(outputs).map((s) => [s.about, s.mentions])).toEqual([[lines[6]!.id, ["ana", "bob"]]]);
  });

  it("suggests later in the same exchange when nobody could be told the first time", async () => {
    // ana and bob were each just told about another exchange: both are in the 20-minute cooldown
    // when their own exchange qualifies, so nothing is posted then; it is once ana's cooldown ends
    // (bob, still in his, is named without a mention).
    const pair = (start: number, a: string, b: string, n: number, spacing: number) =>
      Array.from({ length: n }, (_, i) => {
        const [from, to] = i % 2 ? [b, a] : [a, b];
        return say(start, i * spacing, from, `${to}: about the migration, step ${i}`, to);
      });
    const { outputs } = await runScenario([
      ...pair(0, "ana", "carl", 6, 20),
      ...pair(2, "bob", "dee", 6, 20),
      ...pair(5, "ana", "bob", 40, 30),
    ]);
    const told = suggestions(outputs).map((s) => [s.mentions, s.at.slice(11, 16)]);
    expect(told.slice(0, 2)).toEqual([
      [["ana", "carl"], "10:01"],
      [["bob", "dee"], "10:03"],
    ]);
    expect(told.slice(2)).toEqual([[["ana"], "10:22"]]);
    expect(suggestions(outputs)[2]!.text).toMatch(/^@ana and bob,/);
  });

  it("counts a second helper's words with the asker, but not a helper's with two askers", async () => {
    const asker = [
      say(0, 0, "ana", "how do I make grub show its menu?"),
      say(0, 10, "bob", "ana: hold shift while it boots", "ana"),
      say(0, 20, "carl", "ana: or set GRUB_TIMEOUT in /etc/default/grub", "ana"),
      say(0, 30, "ana", "bob: shift does nothing here", "bob"),
      say(0, 40, "ana", "carl: where is that file again?", "carl"),
      say(0, 50, "bob", "ana: then it is a uefi machine, try esc", "ana"),
    ];
    const one = await runScenario(asker);
    expect(suggestions(one.outputs).map((s) => [s.about, s.mentions])).toEqual([
      [asker[5]!.id, ["ana", "bob"]],
    ]);
    // bob answers two people who each came with their own question: two conversations of three and
    // four messages, not one of seven.
    const helper = await runScenario([
      say(0, 0, "ana", "how do I make grub show its menu?"),
      say(0, 5, "carl", "is there a way to list usb devices?"),
      say(0, 10, "bob", "ana: hold shift while it boots", "ana"),
      say(0, 20, "bob", "carl: lsusb", "carl"),
      say(0, 30, "ana", "bob: shift does nothing here", "bob"),
      say(0, 40, "carl", "bob: thanks, found it", "bob"),
      say(0, 50, "bob", "ana: then it is a uefi machine, try esc", "ana"),
    ]);
    expect(suggestions(helper.outputs)).toEqual([]);
  });
});
