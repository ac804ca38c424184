/** Pieces every exporter shares: the room filter, HTTP error reporting and a per-exporter queue. */
import { z } from "zod";
import type { DecisionRecord } from "../core/decisions/model.js";

/** `rooms: [...]` in every exporter's settings: empty means every room of the workspace. */
export const roomsSetting = z
  .array(z.string().min(1))
  .default([])
  .describe(
    "Only decisions from these rooms (names like #team or room ids) go here; empty means every room.",
  );

export function roomMatches(rooms: readonly string[], decision: Pick<DecisionRecord, "room">): boolean {
  if (rooms.length === 0) return true;
  const { id, name } = decision.room;
  return rooms.some((r) => r === id || r.replace(/^[#~!]/, "") === name);
}

/** An HTTP failure, with a short message fit for `/decision show` (no body beyond 200 characters). */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    what: string,
    body: string,
  ) {
    super(`${what}: HTTP ${status}${body ? ` ${body.replace(/\s+/g, " ").slice(0, 200)}` : ""}`);
  }
}

/** fetch, then JSON; any non-2xx status throws an HttpError naming `what` was attempted. */
export async function fetchJson<T>(what: string, url: string, init: RequestInit): Promise<T> {
  const response = await fetch(url, { ...init, signal: init.signal ?? AbortSignal.timeout(30_000) });
  const text = await response.text();
  if (!response.ok) throw new HttpError(response.status, what, text);
  return (text ? JSON.parse(text) : {}) as T;
}

/** Runs tasks one after another: an exporter that writes shared files or pages never races itself. */
export class SerialQueue {
  private tail: Promise<unknown> = Promise.resolve();

  run<T>(task: () => Promise<T>): Promise<T> {
    const result = this.tail.then(task, task);
    this.tail = result.catch(() => undefined);
    return result;
  }
}

/** Removes credentials from URLs in a message (git remotes often carry a token). */
export function redactUrls(text: string): string {
  return text.replace(/(\w+:\/\/)[^/\s@]+@/g, "$1***@");
}
