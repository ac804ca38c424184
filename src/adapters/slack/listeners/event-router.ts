/**
 * Events API events, routed by type from one global middleware instead of one Bolt listener each.
 * Bolt runs the matching chain of every registered listener for every payload it receives; at
 * hundreds of events a second those chains made a third of the bot's allocations. The listener files
 * register here with `events.on(type, handler)` as they would with `app.event`; commands, shortcuts,
 * views and actions keep their Bolt listeners (they are rare, and need Bolt's `ack` handling).
 *
 * Events of one conversation are handled one after another, in the order they arrived. Bolt acks an
 * event before its middleware runs, so without this a reaction could overtake the message it is on
 * while that message still waits for a `users.info` look-up, and find nothing to record.
 */
import type { AllMiddlewareArgs, AnyMiddlewareArgs, App, SlackEventMiddlewareArgs } from "@slack/bolt";

type EventHandler<T extends string> = (
  args: SlackEventMiddlewareArgs<T> & AllMiddlewareArgs,
) => Promise<void>;

export class EventRouter {
  private readonly handlers = new Map<string, EventHandler<string>[]>();
  /** The last event still being handled in each conversation, keyed by team and channel. */
  private readonly inFlight = new Map<string, Promise<void>>();

  on<T extends string>(type: T, handler: EventHandler<T>): void {
    const list = this.handlers.get(type) ?? [];
    list.push(handler as unknown as EventHandler<string>);
    this.handlers.set(type, list);
  }

  /** Installs the router as global middleware; everything that is not an event goes on to the listeners. */
  install(app: App): void {
    app.use(async (args) => {
      const event = (args as AnyMiddlewareArgs & { event?: { type?: string } }).event;
      if (!event?.type) return args.next();
      const handlers = this.handlers.get(event.type);
      if (!handlers) return;
      const eventArgs = args as unknown as SlackEventMiddlewareArgs<string> & AllMiddlewareArgs;
      const key = conversationOf(args.body as EventBody);
      if (!key) return runAll(handlers, eventArgs);
      const previous = this.inFlight.get(key);
      // A failed earlier event must not hold up the ones after it; its own error was reported to it.
      const current = previous
        ? previous.then(
            () => runAll(handlers, eventArgs),
            () => runAll(handlers, eventArgs),
          )
        : runAll(handlers, eventArgs);
      const settled = current.then(
        () => {},
        () => {},
      );
      this.inFlight.set(key, settled);
      void settled.then(() => {
        if (this.inFlight.get(key) === settled) this.inFlight.delete(key);
      });
      return current;
    });
  }
}

/** The handlers of an event, one after another. */
async function runAll(handlers: readonly EventHandler<string>[], args: Parameters<EventHandler<string>>[0]) {
  for (const handler of handlers) await handler(args);
}

interface EventBody {
  team_id?: string;
  event?: { channel?: unknown; item?: { channel?: unknown } };
}

/** The conversation an event happened in (messages name it `channel`, reactions `item.channel`). */
function conversationOf(body: EventBody | undefined): string | undefined {
  const channel = body?.event?.channel ?? body?.event?.item?.channel;
  return typeof channel === "string" ? `${body?.team_id ?? ""}:${channel}` : undefined;
}
