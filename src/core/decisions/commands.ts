/**
 * The `/decision …` command specs: parsing lives in commands.ts (pure), texts in replies.ts; these
 * executors read the store, ask the worker to export, and check who may see what.
 */
import {
  type CommandContext,
  type CommandReply,
  type CommandSpec,
  command,
  ok,
} from "../commands/command.js";
import type { CoreServices } from "../feature.js";
import type { Room } from "../model.js";
import { decisionForm } from "./form.js";
import {
  type DecisionRecord,
  type DecisionRequest,
  decisionId,
  type ExportState,
  type RecordResult,
  type SaveConfirmation,
} from "./model.js";
import type { OutboxWorker } from "./outbox-worker.js";
import { type ListArgs, parseList, parseOneId, parseSupersede, parseWords, textAfterWords } from "./parse.js";
import { exportSummary, listLine, showText } from "./replies.js";
import type { DecisionStore } from "./store.js";

export const UNDO_WINDOW_MS = 10 * 60_000;
const LIST_LIMIT = 15;

export interface DecisionCommandDeps {
  services: CoreServices;
  store: DecisionStore;
  worker: OutboxWorker;
  /** Records it, its confirmation saved with it by `confirm` when given. */
  record(request: DecisionRequest, confirm?: SaveConfirmation): Promise<RecordResult>;
  /** Why decisions cannot be recorded in a room, if they cannot. */
  roomProblem(room: Room): string | undefined;
}

export function decisionCommands(deps: DecisionCommandDeps): CommandSpec[] {
  const { services, store, worker, record, roomProblem } = deps;

  /** Whether `user` may see a decision: anyone for public rooms, members only for private ones. */
  async function visible(d: DecisionRecord, user: string, here: Room): Promise<boolean> {
    if (!d.room.private || d.room.id === here.id) return true;
    const members = await services.directory
      .roomMembers(d.workspace, { workspace: d.workspace, id: d.room.id, name: d.room.name, kind: "private" })
      .catch((): string[] => []);
    return members.includes(user);
  }

  async function visibleOnly(list: DecisionRecord[], user: string, here: Room): Promise<DecisionRecord[]> {
    const out: DecisionRecord[] = [];
    for (const d of list) if (await visible(d, user, here)) out.push(d);
    return out;
  }

  /**
   * Decision `number` as `inv`'s asker may see it. One they may not see is answered exactly as one that
   * does not exist (`noSuch`): no author, no title, no file name.
   */
  async function findVisible(
    inv: { workspace: string; user: string; room: Room },
    number: number,
  ): Promise<DecisionRecord | undefined> {
    const d = await store.get(inv.workspace, number);
    return d && (await visible(d, inv.user, inv.room)) ? d : undefined;
  }

  const noSuch = (number: number): CommandReply => ({
    kind: "error",
    problem: `there is no decision ${decisionId(number)}`,
  });

  // Saved with the decision, its exports pending, and said once they are done (after the commit).
  const reply = (r: RecordResult): CommandReply =>
    r.ok
      ? { kind: "public", text: r.text, finish: r.exported, saved: r.saved }
      : { kind: "error", problem: r.problem };
  const confirmIn =
    (ctx: CommandContext): SaveConfirmation =>
    async (text) =>
      ctx.reserveReply?.({ kind: "public", text });

  const commands = [
    command<Record<string, never>>({
      path: ["decision"],
      usage: "<what was decided>",
      summary: "record a decision taken here (in a thread: with the people who took part)",
      parse: () => ok({}),
      async run(ctx) {
        const inv = ctx.invocation;
        const request = {
          workspace: inv.workspace,
          room: inv.room,
          thread: inv.thread,
          author: inv.user,
          text: textAfterWords(inv.text, 1),
          at: inv.at,
        };
        // Nothing typed after it, in a room that records decisions: a form to write it in, where the
        // platform can show one; elsewhere the usual answer (record refuses an empty text, saying why).
        if (!request.text && !roomProblem(inv.room))
          return { kind: "form", form: decisionForm(), otherwise: reply(await record(request)) };
        return reply(await record(request, confirmIn(ctx)));
      },
    }),
    command<ListArgs>({
      path: ["decision", "list"],
      usage: "[#room] [since 2026-10-01]",
      summary: "the latest decisions, of one room or all",
      parse: parseList,
      async run(ctx, args) {
        const { workspace, user, room } = ctx.invocation;
        const found = await visibleOnly(
          await store.list(workspace, { room: args.room, since: args.since, limit: LIST_LIMIT }),
          user,
          room,
        );
        if (found.length === 0) return { kind: "private", text: "No decisions recorded yet for that." };
        return { kind: "private", text: ["Decisions, newest first:", ...found.map(listLine)].join("\n") };
      },
    }),
    command<{ words: string }>({
      path: ["decision", "search"],
      usage: "<words>",
      summary: "find decisions by their words, best match first",
      parse: parseWords,
      async run(ctx, args) {
        const { workspace, user, room } = ctx.invocation;
        const found = await visibleOnly(await store.search(workspace, args.words, LIST_LIMIT), user, room);
        if (found.length === 0) return { kind: "private", text: `No decision mentions "${args.words}".` };
        return {
          kind: "private",
          text: [`Decisions matching "${args.words}":`, ...found.map(listLine)].join("\n"),
        };
      },
    }),
    command<{ number: number }>({
      path: ["decision", "show"],
      usage: "D-12",
      summary: "a decision in full, with where it was exported",
      parse: parseOneId,
      async run(ctx, args) {
        const d = await findVisible(ctx.invocation, args.number);
        if (!d) return noSuch(args.number);
        return { kind: "private", text: showText(d, await store.exports(d.workspace, d.number)) };
      },
    }),
    command<{ number: number }>({
      path: ["decision", "supersede"],
      usage: "D-12 <new decision>",
      summary: "record a decision that replaces an earlier one",
      parse: parseSupersede,
      async run(ctx, args) {
        const inv = ctx.invocation;
        if (!(await findVisible(inv, args.number))) return noSuch(args.number);
        const text = textAfterWords(inv.text, 3);
        return reply(
          await record(
            {
              workspace: inv.workspace,
              room: inv.room,
              thread: inv.thread,
              author: inv.user,
              text,
              at: inv.at,
              supersedes: args.number,
            },
            confirmIn(ctx),
          ),
        );
      },
    }),
    command<{ number: number }>({
      path: ["decision", "export"],
      usage: "D-12",
      summary: "export a decision again now (after fixing a failed target)",
      parse: parseOneId,
      async run(ctx, args) {
        const { workspace, at } = ctx.invocation;
        const d = await findVisible(ctx.invocation, args.number);
        if (!d) return noSuch(args.number);
        // Retry what is not exported yet; when everything is, export everything again (a deleted page comes back).
        const waiting = (await store.exports(workspace, d.number))
          .filter((s) => s.status !== "exported")
          .map((s) => s.target);
        const summary = async () => `${d.id}: ${exportSummary(await store.exports(workspace, d.number))}`;
        // Requeued and answered together: a crash leaves both or neither.
        const requeued = await services.atomically(async () => {
          const queued = await store.requeue(workspace, d.number, at, waiting.length ? waiting : undefined);
          if (queued === 0) return undefined;
          const text = await summary();
          return { text, saved: await ctx.reserveReply?.({ kind: "private", text }) };
        });
        if (!requeued) return { kind: "private", text: `${d.id} has no export target.` };
        return {
          kind: "private",
          ...requeued,
          // The exports are network calls: after the commit.
          finish: async () => {
            await worker.deliver(workspace, d.number);
            return summary();
          },
        };
      },
    }),
    command<{ number: number }>({
      path: ["decision", "undo"],
      usage: "D-12",
      summary: `take back a decision you recorded in the last ${UNDO_WINDOW_MS / 60_000} minutes`,
      parse: parseOneId,
      async run(ctx, args) {
        const { workspace, user, room, at } = ctx.invocation;
        const d = await findVisible(ctx.invocation, args.number);
        if (!d) return noSuch(args.number);
        if (d.author.id !== user)
          return { kind: "private", text: `Only ${d.author.name}, who recorded ${d.id}, can undo it.` };
        if (at.getTime() - d.at.getTime() > UNDO_WINDOW_MS) {
          return {
            kind: "private",
            text: `${d.id} is older than ${UNDO_WINDOW_MS / 60_000} minutes and stays on record. To change it, \`${ctx.prefix}decision supersede ${d.id} <new decision>\`.`,
          };
        }
        // Targets that can take it back get a withdrawal in the export outbox, with the removal: tried
        // now, and retried with back-off (after a restart too) while the target does not answer.
        const withdrawing = worker.withdrawingTargets;
        // A private room's decision (its title is in the file name) is not talked about elsewhere.
        const kind = d.room.private && d.room.id !== room.id ? "private" : "public";
        let exported: ExportState[] = [];
        const said = (withdrawn: readonly string[]) => {
          const later = exported
            .filter((s) => withdrawing.includes(s.target) && !withdrawn.includes(s.target))
            .map((s) => s.target);
          const written = exported.filter((s) => s.status === "exported" && !withdrawing.includes(s.target));
          const tail =
            (withdrawn.length ? ` Taken back from ${withdrawn.join(", ")}.` : "") +
            (later.length ? ` It will be taken back from ${later.join(", ")} when it answers again.` : "") +
            (written.length
              ? ` It had already been exported to ${written.map((s) => `${s.target} (${s.location})`).join(", ")}: remove it there if needed.`
              : "");
          return `Decision ${d.id} was undone by ${d.author.name}.${d.supersedes ? ` ${d.supersedes} stands again.` : ""}${tail}`;
        };
        // Removed and answered together (a crash leaves both or neither), the answer saved as if no
        // target had answered yet (they are retried after a crash), and said once they have.
        const saved = await services.atomically(async () => {
          const states = await store.remove(workspace, d.number, at, withdrawing);
          exported = states.filter((s) => s.location !== undefined || s.attempts > 0);
          return ctx.reserveReply?.({ kind, text: said([]) });
        });
        return {
          kind,
          text: said([]),
          saved,
          finish: async () => {
            if (d.supersedes) await worker.deliver(workspace, Number(d.supersedes.slice(2)));
            const outcomes = await worker.deliver(workspace, d.number);
            return said(outcomes.filter((o) => o.withdrawal && o.done).map((o) => o.target));
          },
        };
      },
    }),
  ];

  return commands;
}
