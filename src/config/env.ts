/**
 * Environment variables: secrets and wiring. Behaviour lives in config/*.yaml (file.ts).
 * Secrets are only ever read from here, and printed as REDACTED.
 */
import { z } from "zod";

const optionalText = z.string().trim().min(1).optional();
const url = (what: string) => z.url({ message: `must be a URL (${what})` }).optional();

export const envSchema = z.object({
  OUTLOUD_DATA_DIR: z.string().min(1).default("./data"),
  /** Comma-separated config files, applied in order; missing default file is fine. */
  OUTLOUD_CONFIG: z.string().min(1).default("config/outloud.yaml"),
  DATABASE_URL: z
    .string()
    .regex(/^(postgres(ql)?:\/\/|sqlite:|file:)/, "must start with postgres://, sqlite: or file:")
    .optional(),
  LOG_LEVEL: z.enum(["debug", "info", "warn", "error", "silent"]).default("info"),
  PORT: z.coerce.number().int().min(1).max(65535).default(3000),
  /** Interface the HTTP servers listen on, e.g. 127.0.0.1 behind a local proxy; all interfaces when unset. */
  HOST: optionalText,
  /** Health, readiness and metrics endpoints when only Matrix runs (Slack HTTP mode serves them on PORT). */
  HEALTH_PORT: z.coerce.number().int().min(0).max(65535).optional(),
  SLACK_BOT_TOKEN: z.string().startsWith("xoxb-", "must be a bot token starting with xoxb-").optional(),
  SLACK_SIGNING_SECRET: optionalText,
  SLACK_APP_TOKEN: z
    .string()
    .startsWith("xapp-", "must be an app-level token starting with xapp-")
    .optional(),
  SLACK_CLIENT_ID: optionalText,
  SLACK_CLIENT_SECRET: optionalText,
  SLACK_STATE_SECRET: optionalText,
  SLACK_API_URL: url("the Slack Web API base, e.g. https://slack.com/api/"),
  /** 32 bytes as 64 hex characters or base64: encrypts Slack installation tokens at rest. */
  OUTLOUD_ENCRYPTION_KEY: optionalText,
  MATRIX_HOMESERVER_URL: url("the homeserver's client-server API base, e.g. https://matrix.example.org"),
  MATRIX_USER_ID: z
    .string()
    .regex(/^@[^:]+:.+$/, "must be a full Matrix user id like @outloud:example.org")
    .optional(),
  MATRIX_ACCESS_TOKEN: optionalText,
  MATRIX_DEVICE_ID: optionalText,
  /** smtp://user:pass@host:587 for the e-mail exporter. */
  SMTP_URL: z
    .string()
    .regex(/^smtps?:\/\//, "must start with smtp:// or smtps://")
    .optional(),
  CONFLUENCE_EMAIL: optionalText,
  CONFLUENCE_API_TOKEN: optionalText,
  NOTION_TOKEN: optionalText,
  WEBHOOK_SECRET: optionalText,
  /** Opens the live report at /report (playground and self-hosted); at least 16 characters. */
  REPORT_TOKEN: z.string().trim().min(16, "must be at least 16 characters (a long random string)").optional(),
  /** Where people reach the bot's HTTP server, for "Sign in with Slack" to come back to /report. */
  OUTLOUD_PUBLIC_URL: url("the bot's public address, e.g. https://outloud.example.com"),
});

export type Env = z.infer<typeof envSchema>;

/** Variables whose values are never printed. */
export const SECRET_ENV_KEYS: ReadonlySet<string> = new Set([
  "SLACK_BOT_TOKEN",
  "SLACK_SIGNING_SECRET",
  "SLACK_APP_TOKEN",
  "SLACK_CLIENT_SECRET",
  "SLACK_STATE_SECRET",
  "OUTLOUD_ENCRYPTION_KEY",
  "MATRIX_ACCESS_TOKEN",
  "SMTP_URL",
  "CONFLUENCE_API_TOKEN",
  "NOTION_TOKEN",
  "WEBHOOK_SECRET",
  "DATABASE_URL",
  "REPORT_TOKEN",
]);

/** Prefixes we own: an unknown variable with one of these is probably a typo. */
export const OWNED_ENV_PREFIXES = ["OUTLOUD_", "SLACK_", "MATRIX_"] as const;
