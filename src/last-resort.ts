/**
 * The process-wide backstop. A promise nobody awaited, or a throw in a callback of a library we do not
 * control (Bolt's receiver, the Matrix SDK, a database driver), would otherwise end the process and
 * with it every workspace's bot, for the sake of one request. Each is logged (its kind and first
 * stack frame, never its arguments) and counted; the bot goes on serving everyone else.
 */
import type { Logger } from "./core/logger.js";

export function installLastResortHandlers(log: Logger, onFailure: (kind: string) => void = () => {}): void {
  const report = (kind: "unhandledRejection" | "uncaughtException") => (err: unknown) => {
    onFailure(kind);
    log.error(`${kind}: kept running`, {
      error: err instanceof Error ? `${err.name}: ${err.message}` : typeof err,
      at: err instanceof Error ? err.stack?.split("\n")[1]?.trim() : undefined,
    });
  };
  process.on("unhandledRejection", report("unhandledRejection"));
  process.on("uncaughtException", report("uncaughtException"));
}
