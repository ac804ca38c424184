/**
 * The local playground: chat with Outloud in the terminal, no Slack or Matrix needed. You type as a
 * user in a room; `:` commands switch user and room and move the clock forward so scheduled work
 * (announcements, reminders) can be seen happening. Private notices are marked as such.
 */
import { clearLine, createInterface, cursorTo } from "node:readline";
import type { AppContext } from "../../app.js";
import type { Action } from "../../core/actions.js";
import { isKnownZone } from "../../core/zones.js";
import { LocalPlatform } from "./local-platform.js";
import { parseJump, readPlaygroundState, writePlaygroundState } from "./playground-clock.js";
import { parseRoomRef } from "./rooms.js";
import type { ScenarioLine } from "./scenario.js";

export interface PlaygroundOptions {
  app: AppContext;
  input: NodeJS.ReadableStream;
  output: NodeJS.WritableStream;
  /** Show a prompt and follow the wall clock (a person at a terminal); off when input is piped. */
  interactive: boolean;
  /** Where the virtual clock starts (default: where the saved state left it, or now if that is later). */
  start?: Date;
  /**
   * Where the virtual time and the next message id are kept between sessions (main.ts: beside the
   * database); without it each session starts at the real time and ids start at m1.
   */
  statePath?: string;
}

const HELP = `Type a message to say it as the current user in the current room.
Commands start with / or ! (try /outloud help, /rota help, /decision help).
  :user NAME [tz ZONE]   speak as NAME (optionally in time zone ZONE)
  :room ROOM             go to #public, ~private, or dm:alice,bob
  :members A,B,C         declare who is in the current room
  :thread ID             reply in the thread of message ID; ":thread" alone leaves it
  :react ID EMOJI        react to message ID, e.g. :react m3 decision
  :ff DURATION           fast-forward the clock, e.g. :ff 30m, :ff 2h, :ff 1d
  :at TIME               jump ahead to a time in UTC: :at next monday 09:00, :at tomorrow 08:00,
                         :at 2027-01-04T09:00Z
  :time                  show the current (virtual) time
  :help                  this help;  :quit (or end of input) leaves`;

export async function runPlayground(options: PlaygroundOptions): Promise<void> {
  let rl: ReturnType<typeof createInterface> | undefined;
  let waiting = false;
  const out = (text: string): void => {
    // Something arriving while the prompt waits (a timer fired) clears the prompt, prints, and redraws
    // it with what was typed so far, so the transcript never runs into the input line.
    if (waiting && rl && options.interactive) {
      clearLine(options.output, 0);
      cursorTo(options.output, 0);
      options.output.write(`${text}\n`);
      rl.prompt(true);
      return;
    }
    options.output.write(`${text}\n`);
  };
  const platform = new LocalPlatform({
    app: options.app,
    onAction: (_o, action) => out(render(action)),
    anyoneExists: true,
  });
  let user = "you";
  let room = "#general";
  let thread: string | undefined;
  const saved = options.statePath ? readPlaygroundState(options.statePath) : undefined;
  let nextId = saved?.nextId ?? 1;
  if (saved?.directory) platform.directory.restore(saved.directory);
  // The clock follows real time, plus however far you fast-forwarded.
  let offset = 0;
  // Piped input runs on a frozen clock (only :ff and :at move it), so a script gives the same output every time.
  const base = options.start?.getTime() ?? Math.max(saved?.now.getTime() ?? 0, Date.now());
  const startedAt = Date.now();
  const virtualNow = () => new Date(base + offset + (options.interactive ? Date.now() - startedAt : 0));

  await platform.startAt(virtualNow());
  let queue = Promise.resolve();
  const run = (work: () => Promise<void> | undefined) => {
    queue = queue.then(work).catch((err) => out(`! ${err instanceof Error ? err.message : err}`));
    return queue;
  };
  const ticker = options.interactive
    ? setInterval(() => run(() => platform.advanceTo(virtualNow())), 1000)
    : undefined;

  const lines = createInterface({
    input: options.input,
    output: options.interactive ? options.output : undefined,
    terminal: options.interactive,
  });
  rl = lines;
  const prompt = () => {
    if (options.interactive) {
      lines.setPrompt(`${user} in ${room}${thread ? ` (thread ${thread})` : ""}> `);
      lines.prompt();
      waiting = true;
    }
  };
  const save = () => {
    if (options.statePath)
      writePlaygroundState(options.statePath, {
        now: virtualNow(),
        nextId,
        directory: platform.directory.snapshot(),
      });
  };
  out(`Outloud playground: you are "${user}" in ${room}. Type :help for help.`);
  if (saved) out(`Resuming where the last session stopped: ${formatTime(virtualNow())}.`);
  prompt();

  const at = () => virtualNow().toISOString();
  const apply = (line: ScenarioLine) => platform.apply(line);

  for await (const raw of lines) {
    waiting = false;
    const text = raw.trim();
    if (text === ":quit" || text === ":q") break;
    await run(async () => {
      if (text === "") return;
      if (text.startsWith(":")) {
        const [cmd, ...args] = text.split(/\s+/);
        switch (cmd) {
          case ":help":
            out(HELP);
            return;
          case ":user": {
            if (!args[0]) return out("usage: :user NAME [tz ZONE]");
            const tz = args[1] === "tz" ? args[2] : undefined;
            if (tz !== undefined && !isKnownZone(tz))
              return out(`unknown time zone ${tz}: use an IANA name such as Europe/Madrid`);
            user = args[0];
            if (tz) await apply({ type: "user", at: at(), user, tz });
            return out(`you are now ${user}${tz ? ` (${tz})` : ""}`);
          }
          case ":room": {
            const ref = args[0] ?? "";
            if (!parseRoomRef(ref)) return out("usage: :room #public | ~private | dm:alice,bob");
            room = parseRoomRef(ref)!.id;
            thread = undefined;
            return out(`you are now in ${room}`);
          }
          case ":members": {
            const members = (args[0] ?? "").split(",").filter(Boolean);
            if (members.length === 0) return out("usage: :members alice,bob,carol");
            await apply({ type: "room", at: at(), room, members });
            return out(`${room} members: ${members.join(", ")}`);
          }
          case ":thread":
            thread = args[0];
            return out(thread ? `replying in the thread of ${thread}` : "back in the main room");
          case ":react":
            if (!args[0] || !args[1]) return out("usage: :react MESSAGE-ID EMOJI");
            await apply({
              type: "reaction",
              at: at(),
              user,
              room,
              target: args[0],
              emoji: args[1].replace(/:/g, ""),
            });
            return;
          case ":ff": {
            const ms = parseDuration(args[0] ?? "");
            if (ms === undefined) return out("usage: :ff 30m | 2h | 1d | 1w");
            offset += ms;
            await platform.advanceTo(virtualNow());
            return out(`it is now ${formatTime(virtualNow())}`);
          }
          case ":at": {
            const when = parseJump(args.join(" "), virtualNow());
            if (!when) return out("usage: :at next monday 09:00 | tomorrow 08:00 | 2027-01-04T09:00Z (UTC)");
            if (when.getTime() < virtualNow().getTime())
              return out(`${formatTime(when)} is in the past: it is ${formatTime(virtualNow())}`);
            offset += when.getTime() - virtualNow().getTime();
            await platform.advanceTo(virtualNow());
            return out(`it is now ${formatTime(virtualNow())}`);
          }
          case ":time":
            return out(`it is ${formatTime(virtualNow())}`);
          default:
            return out(`unknown playground command ${cmd}; type :help`);
        }
      }
      if (/^[/!]/.test(text) && platform.runtime.engine.isCommand(text.slice(1))) {
        await apply({ type: "command", at: at(), user, room, text, thread });
        return;
      }
      // As in Slack, a `/word` that is no command is refused, not said to the room as a message
      // (https://api.slack.com/interactivity/slash-commands: Slack answers "/x is not a valid command").
      const unknown = /^\/(\S+)/.exec(text);
      if (unknown)
        return out(`/${unknown[1]} is not a command: try /rota help, /decision help or /outloud help`);
      const id = `m${nextId++}`;
      out(`[${id}] ${user} in ${room}${thread ? ` (thread ${thread})` : ""}: ${text}`);
      await apply({ type: "message", at: at(), id, user, room, text, thread });
    });
    save();
    prompt();
  }
  waiting = false;
  if (ticker) clearInterval(ticker);
  await queue;
  save();
  lines.close();
  await platform.stop();
  out("bye");
}

function render(action: Action): string {
  const where = "room" in action ? action.room.id : "";
  switch (action.action) {
    case "post":
      return `[${where}] outloud: ${action.text}`;
    case "reply":
      return `[${where} thread ${action.thread}] outloud: ${action.text}`;
    case "notice":
    case "form":
      return `[${where}${action.thread ? ` thread ${action.thread}` : ""}] (private: only ${action.user} can see this) outloud: ${action.text}`;
    case "dm":
      return `[dm to ${action.user}] (private) outloud: ${action.text}`;
    case "topic":
      return `[${where}] outloud set the topic: ${action.text}`;
    case "group":
      return `[${where}] outloud set @${action.text} to: ${action.mentions.map((m) => `@${m}`).join(", ") || "nobody"}`;
  }
}

function parseDuration(text: string): number | undefined {
  const m = /^(\d+)(m|h|d|w)$/.exec(text);
  if (!m) return undefined;
  const unit = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 }[m[2] as "m" | "h" | "d" | "w"];
  return Number(m[1]) * unit;
}

function formatTime(d: Date): string {
  return `${d.toISOString().slice(0, 16).replace("T", " ")} UTC (${d.toLocaleDateString("en", { weekday: "long", timeZone: "UTC" })})`;
}
