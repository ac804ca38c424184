/**
 * Structured logs on stderr (pino). Field names that can carry secrets or message text are redacted
 * wherever they appear, as a second line of defence: callers should not log them in the first place.
 */
import pino from "pino";
import type { Logger } from "./core/logger.js";

export type LogLevel = "debug" | "info" | "warn" | "error" | "silent";

const REDACTED_FIELDS = [
  "token",
  "accessToken",
  "botToken",
  "secret",
  "password",
  "authorization",
  "text",
  "body",
];

export function createLogger(level: LogLevel, destination: NodeJS.WritableStream = process.stderr): Logger {
  const paths = REDACTED_FIELDS.flatMap((f) => [f, `*.${f}`]);
  const log = pino({ level, redact: { paths, censor: "[REDACTED]" }, base: undefined }, destination);
  return {
    debug: (msg, fields) => log.debug(fields ?? {}, msg),
    info: (msg, fields) => log.info(fields ?? {}, msg),
    warn: (msg, fields) => log.warn(fields ?? {}, msg),
    error: (msg, fields) => log.error(fields ?? {}, msg),
  };
}

/** For tests and piped replay output where nothing should be logged. */
export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };
