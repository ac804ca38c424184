import type { AppContext } from "../app.js";

/** A platform connection started by main.ts (Slack, Matrix). */
export interface RunningAdapter {
  readonly name: string;
  /** Connected and able to act (used by /readyz). */
  ready(): boolean;
  /** Stops taking events, finishes what is in flight. */
  stop(): Promise<void>;
}

export type StartAdapter = (app: AppContext) => Promise<RunningAdapter>;
