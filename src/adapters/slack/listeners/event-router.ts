/**
 * Events API events, routed by type from one global middleware instead of one Bolt listener each.
 * Bolt runs the matching chain of every registered listener for every payload it receives; at
 * hundreds of events a second those chains made a third of the bot's allocations. The listener files
 * register here with `events.on(type, handler)` as they would with `app.event`; commands, shortcuts,
 * views and actions keep their Bolt listeners (they are rare, and need Bolt's `ack` handling).
 */
import type { AllMiddlewareArgs, AnyMiddlewareArgs, App, SlackEventMiddlewareArgs } from "@slack/bolt";

type EventHandler<T extends string> = (
  args: SlackEventMiddlewareArgs<T> & AllMiddlewareArgs,
) => Promise<void>;

export class EventRouter {
  private readonly handlers = new Map<string, EventHandler<string>[]>();

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
      for (const handler of handlers) await handler(eventArgs);
    });
  }
}
