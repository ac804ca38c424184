/**
 * The cause the actions of the current work are taken for (a Slack event), followed through its async
 * calls. Their outbox keys come from it, numbered in the order taken: handled again after a crash, the
 * event gives its actions the same keys, and the outbox neither saves nor sends one it already has.
 */
import { AsyncLocalStorage } from "node:async_hooks";

const causes = new AsyncLocalStorage<{ id: string; taken: number }>();

/** Runs `work` with `id` as the cause of the actions it takes. */
export function forCause<T>(id: string, work: () => Promise<T>): Promise<T> {
  return causes.run({ id, taken: 0 }, work);
}

/** The key of the next action taken for the current cause; none outside one. */
export function nextKeyOfCause(): string | undefined {
  const cause = causes.getStore();
  if (!cause) return undefined;
  cause.taken += 1;
  return `${cause.id}#${cause.taken}`;
}
