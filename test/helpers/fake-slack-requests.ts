/**
 * Signed Events API requests, and builders for the payloads Slack sends (events, slash commands, the
 * message shortcut, App Home), with overrides, in the spirit of bolt-js's test helpers. Signing is
 * Slack's v0 scheme: `v0=` + hex HMAC-SHA256 of `v0:{timestamp}:{raw body}` with the signing secret.
 */
import { createHmac } from "node:crypto";

export function slackSignature(secret: string, timestamp: number, body: string): string {
  return `v0=${createHmac("sha256", secret).update(`v0:${timestamp}:${body}`).digest("hex")}`;
}

export interface SendOptions {
  /** Seconds since the epoch written into the request; defaults to now. */
  timestamp?: number;
  /** Sign with this secret instead of the right one. */
  secret?: string;
  /** Slack's retry headers, for redeliveries. */
  retryNum?: number;
  path?: string;
}

export interface SignedResponse {
  status: number;
  text: string;
  json(): unknown;
}

/** Posts `body` to the app the way Slack does: signed, with the right content type. */
export async function postSigned(
  baseUrl: string,
  secret: string,
  body: Record<string, unknown> | URLSearchParams,
  options: SendOptions = {},
): Promise<SignedResponse> {
  const isForm = body instanceof URLSearchParams;
  const raw = isForm ? body.toString() : JSON.stringify(body);
  const headers = slackHeaders(options.secret ?? secret, raw, { ...options, form: isForm });
  const res = await fetch(`${baseUrl}${options.path ?? "/slack/events"}`, {
    method: "POST",
    headers,
    body: raw,
  });
  const text = await res.text();
  return { status: res.status, text, json: () => JSON.parse(text) };
}

/** The headers Slack sends with a request body: content type, timestamp, signature, and retry headers on a redelivery. */
export function slackHeaders(
  secret: string,
  raw: string,
  options: { timestamp?: number; retryNum?: number; form?: boolean } = {},
): Record<string, string> {
  const timestamp = options.timestamp ?? Math.floor(Date.now() / 1000);
  const headers: Record<string, string> = {
    "content-type": options.form ? "application/x-www-form-urlencoded" : "application/json",
    "x-slack-request-timestamp": String(timestamp),
    "x-slack-signature": slackSignature(secret, timestamp, raw),
  };
  if (options.retryNum !== undefined) {
    headers["x-slack-retry-num"] = String(options.retryNum);
    headers["x-slack-retry-reason"] = "http_timeout";
  }
  return headers;
}

let eventCounter = 0;

/** An Events API callback wrapping `event`. */
export function eventCallback(
  team: string,
  event: Record<string, unknown>,
  overrides: Record<string, unknown> = {},
): Record<string, unknown> {
  eventCounter += 1;
  return {
    token: "verification-token-unused",
    team_id: team,
    api_app_id: "AFAKE",
    event: { event_ts: `${Date.now() / 1000}`, ...event },
    type: "event_callback",
    event_id: `Ev${team}${eventCounter}${Date.now()}`,
    event_time: Math.floor(Date.now() / 1000),
    authorizations: [{ team_id: team, user_id: `UBOT${team}`, is_bot: true, is_enterprise_install: false }],
    ...overrides,
  };
}

export function mkMessage(
  fields: {
    user: string;
    channel: string;
    text: string;
    ts?: string;
    thread_ts?: string;
    channel_type?: string;
  } & Record<string, unknown>,
): Record<string, unknown> {
  return { type: "message", channel_type: "channel", ts: fields.ts ?? nextTs(), ...fields };
}

export function mkReaction(fields: {
  user: string;
  channel: string;
  ts: string;
  reaction: string;
}): Record<string, unknown> {
  return {
    type: "reaction_added",
    user: fields.user,
    reaction: fields.reaction,
    item: { type: "message", channel: fields.channel, ts: fields.ts },
    item_user: "UOTHER",
  };
}

/** A slash command body, form-encoded as Slack sends it. */
export function mkSlashCommand(fields: {
  team: string;
  user: string;
  channel: string;
  command: string;
  text: string;
  responseUrl: string;
  channelName?: string;
  /** Enterprise Grid: the org of the workspace, the app installed org-wide. */
  enterprise?: string;
}): URLSearchParams {
  const grid: Record<string, string> = fields.enterprise
    ? {
        enterprise_id: fields.enterprise,
        enterprise_name: `Org ${fields.enterprise}`,
        is_enterprise_install: "true",
      }
    : {};
  return new URLSearchParams({
    ...grid,
    token: "verification-token-unused",
    team_id: fields.team,
    team_domain: fields.team.toLowerCase(),
    channel_id: fields.channel,
    channel_name: fields.channelName ?? "general",
    user_id: fields.user,
    user_name: fields.user.toLowerCase(),
    command: fields.command,
    text: fields.text,
    api_app_id: "AFAKE",
    response_url: fields.responseUrl,
    trigger_id: triggerId(),
  });
}

/** The "Record as decision" message shortcut, as an interactive payload. */
export function mkMessageShortcut(fields: {
  team: string;
  user: string;
  channel: string;
  messageTs: string;
  messageText: string;
  messageUser: string;
  responseUrl: string;
  threadTs?: string;
  /** null: a payload without a trigger (no modal can be opened for it). */
  triggerId?: string | null;
}): Record<string, unknown> {
  return {
    type: "message_action",
    token: "verification-token-unused",
    action_ts: nextTs(),
    team: { id: fields.team, domain: fields.team.toLowerCase() },
    user: { id: fields.user, name: fields.user.toLowerCase(), team_id: fields.team },
    channel: { id: fields.channel, name: "general" },
    callback_id: "record_decision",
    trigger_id: fields.triggerId === null ? undefined : (fields.triggerId ?? triggerId()),
    message_ts: fields.messageTs,
    message: {
      type: "message",
      user: fields.messageUser,
      text: fields.messageText,
      ts: fields.messageTs,
      thread_ts: fields.threadTs,
    },
    response_url: fields.responseUrl,
  };
}

/**
 * A `view_submission` for a modal the app opened (as FakeSlackApi recorded it from views.open), with
 * each input's value as the person left it: `values` by block id, the prefilled value otherwise.
 */
export function mkViewSubmission(fields: {
  team: string;
  user: string;
  view: Record<string, unknown>;
  values?: Record<string, string | null>;
}): Record<string, unknown> {
  const blocks = (fields.view.blocks ?? []) as Array<{
    type: string;
    block_id?: string;
    element?: { type: string; action_id: string; initial_value?: string };
  }>;
  const state: Record<string, Record<string, { type: string; value: string | null }>> = {};
  for (const b of blocks) {
    if (b.type !== "input" || !b.block_id || !b.element) continue;
    const value =
      fields.values && b.block_id in fields.values
        ? fields.values[b.block_id]!
        : (b.element.initial_value ?? null);
    state[b.block_id] = { [b.element.action_id]: { type: b.element.type, value } };
  }
  return {
    type: "view_submission",
    token: "verification-token-unused",
    team: { id: fields.team, domain: fields.team.toLowerCase() },
    user: { id: fields.user, name: fields.user.toLowerCase(), team_id: fields.team },
    api_app_id: "AFAKE",
    trigger_id: triggerId(),
    view: {
      id: `V${nextTs()}`,
      team_id: fields.team,
      app_id: "AFAKE",
      bot_id: `BBOT${fields.team}`,
      hash: "1.abc",
      root_view_id: null,
      previous_view_id: null,
      clear_on_close: false,
      notify_on_close: false,
      ...fields.view,
      state: { values: state },
    },
    response_urls: [],
    is_enterprise_install: false,
  };
}

/** Interactive payloads are posted as a form with one `payload` field holding JSON. */
export function asInteractiveForm(payload: Record<string, unknown>): URLSearchParams {
  return new URLSearchParams({ payload: JSON.stringify(payload) });
}

let triggerCounter = 0;
/**
 * A trigger_id shaped like Slack's (`398738663015.47445629121.803a0bc8…`), whose middle part is when it
 * was issued, in milliseconds: FakeSlackApi's views.open lets it open one view within 3 seconds.
 */
export function triggerId(issuedAt = Date.now()): string {
  triggerCounter += 1;
  return `${triggerCounter}.${issuedAt}.${triggerCounter.toString(16).padStart(8, "0")}`;
}

let tsCounter = 0;
export function nextTs(): string {
  tsCounter += 1;
  return `${Math.floor(Date.now() / 1000)}.${String(tsCounter).padStart(6, "0")}`;
}
