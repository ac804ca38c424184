/**
 * The local platform: the engine on a virtual clock with a scenario-declared directory. The replay CLI
 * feeds it scenario lines; the playground feeds it what you type. Actions come out as ReplayOutput.
 */

import type { AppContext } from "../../app.js";
import { type Action, formFallback } from "../../core/actions.js";
import { VirtualClock } from "../../core/clocks.js";
import type { ChatEvent, Room } from "../../core/model.js";
import { Scheduler } from "../../core/scheduler.js";
import { OutloudMetrics } from "../../runtime/metrics.js";
import { PlatformRuntime, type RuntimeOptions } from "../../runtime/runtime.js";
import { LocalDirectory } from "./local-directory.js";
import { LOCAL_WORKSPACE, parseRoomRef } from "./rooms.js";
import { mentionsInText, type ReplayOutput, type ScenarioLine } from "./scenario.js";

export interface LocalPlatformOptions {
  app: AppContext;
  /** Receives every action the bot takes, in order. */
  onAction(output: ReplayOutput, action: Action): void;
  /** Where the virtual clock starts; defaults to the first line's time. */
  start?: Date;
  /** Treat every `@name` as a person (the playground), rather than only those the scenario declared. */
  anyoneExists?: boolean;
  /**
   * Writes every action to the durable outbox before it is printed, as a live platform does (tests of
   * what is saved with what); the replay and the playground go without.
   */
  outbox?: RuntimeOptions["outbox"];
}

export class LocalPlatform {
  readonly clock: VirtualClock;
  readonly scheduler: Scheduler;
  readonly directory: LocalDirectory;
  readonly runtime: PlatformRuntime;
  private started = false;

  constructor(private readonly options: LocalPlatformOptions) {
    const { app } = options;
    this.clock = new VirtualClock(options.start ?? new Date(0));
    this.scheduler = new Scheduler(app.log);
    this.directory = new LocalDirectory(
      LOCAL_WORKSPACE,
      app.config.settings.workspace.timezone,
      options.anyoneExists ?? false,
    );
    this.runtime = new PlatformRuntime(
      app,
      {
        name: "local",
        directory: this.directory,
        sink: { deliver: async (action) => this.deliver(action) },
        commandPrefix: "/",
      },
      // Nobody scrapes the terminal: no process-wide default metrics for each replay.
      {
        clock: this.clock,
        scheduler: this.scheduler,
        metrics: new OutloudMetrics({ defaultMetrics: false }),
        ...(options.outbox ? { outbox: options.outbox } : {}),
      },
    );
  }

  /** Starts the engine (re-arming timers from the database) at `at`, once. */
  async startAt(at: Date): Promise<void> {
    if (this.started) return;
    this.started = true;
    this.clock.set(at);
    await this.runtime.start();
  }

  /**
   * Moves the virtual clock, running everything that falls due on the way. Asked for every line of a
   * replay: a promise only when something falls due (or the engine starts).
   */
  advanceTo(at: Date): Promise<void> | undefined {
    if (!this.started) return this.startAt(at).then(() => this.clock.advanceTo(at, this.scheduler));
    return this.clock.advanceTo(at, this.scheduler);
  }

  /**
   * Applies one scenario line: the clock moves to its time first, then the event is handled. A
   * promise only when there is something to wait for (a line that is no event, on a quiet clock, has none).
   */
  apply(line: ScenarioLine): Promise<void> | undefined {
    const at = new Date(line.at);
    const moved = this.advanceTo(at);
    if (moved) return moved.then(() => this.handle(line, at));
    return this.handle(line, at);
  }

  private handle(line: ScenarioLine, at: Date): Promise<void> | undefined {
    const event = this.toEvent(line, at);
    return event ? this.runtime.dispatch(event) : undefined;
  }

  async stop(): Promise<void> {
    await this.runtime.stop();
  }

  private toEvent(line: ScenarioLine, at: Date): ChatEvent | undefined {
    const workspace = LOCAL_WORKSPACE;
    switch (line.type) {
      case "user":
        this.directory.declareUser(line.user, { name: line.name, tz: line.tz, bot: line.bot });
        return undefined;
      case "room":
        this.directory.declareRoom(this.room(line.room), { members: line.members, topic: line.topic });
        return undefined;
      case "tick":
        return undefined;
      case "join":
      case "leave": {
        const room = this.room(line.room);
        if (line.type === "join") this.directory.memberJoined(room, line.user);
        else this.directory.memberLeft(room, line.user);
        return {
          type: line.type === "join" ? "member-joined" : "member-left",
          workspace,
          room,
          user: line.user,
          at,
        };
      }
      case "message": {
        const room = this.room(line.room);
        this.directory.noteSpeaker(room, line.user);
        const found = mentionsInText(line.text);
        return {
          type: "message",
          message: {
            workspace,
            id: line.id,
            room,
            thread: line.thread,
            user: line.user,
            text: line.text,
            mentions: line.mentions ?? found.users,
            broadcast: found.broadcast,
            at,
            fromBot: this.directory.isBot(line.user),
          },
        };
      }
      case "command": {
        const room = this.room(line.room);
        // Typing in a room is speaking there, and the people a command names are in it (unless declared).
        this.directory.noteSpeaker(room, line.user);
        for (const name of mentionsInText(line.text).users) this.directory.noteNamed(room, name);
        const prefix = /^[/!]/.test(line.text) ? line.text[0]! : "/";
        const text = line.text.replace(/^[/!]/, "").trim();
        return {
          type: "command",
          command: { workspace, room, thread: line.thread, user: line.user, text, prefix, at },
        };
      }
      case "reaction":
        return {
          type: "reaction",
          reaction: {
            workspace,
            room: this.room(line.room),
            user: line.user,
            target: line.target,
            emoji: line.emoji,
            at,
          },
        };
    }
  }

  private room(ref: string): Room {
    const room = parseRoomRef(ref);
    // The scenario schema already checked the form; this only guards against a schema/parser mismatch.
    if (!room) throw new Error(`bad room "${ref}"`);
    return room;
  }

  private deliver(asked: Action): void {
    // The terminal shows no forms (and never says it can): a stray one is told as its fallback.
    const action = asked.action === "form" ? formFallback(asked) : asked;
    if (action.action === "topic") this.directory.setTopic(action.room.id, action.text);
    this.options.onAction(toReplayOutput(action, this.clock.now()), action);
  }
}

/** The replay's output line for an action: `{at, action, room?, user?, thread?, mentions?, text, source, about?}`. */
export function toReplayOutput(action: Action, at: Date): ReplayOutput {
  const out: ReplayOutput = {
    at: at.toISOString(),
    action: action.action,
    text: action.text,
    source: action.source,
  };
  if ("room" in action) out.room = action.room.id;
  if ("user" in action) out.user = action.user;
  if ("thread" in action && action.thread) out.thread = action.thread;
  if (action.mentions && action.mentions.length > 0) out.mentions = action.mentions;
  if (action.about) out.about = action.about;
  // Keep the documented key order: at, action, room, user, thread, mentions, text, source, about.
  const { text, source, about, ...head } = out;
  return { ...head, text, source, ...(about ? { about } : {}) };
}
