/**
 * What real Slack enforces, as data the contract fake (fake-slack-api.ts) applies: each method's rate
 * tier and required scopes, the scopes manifest.yaml grants, and Block Kit's size limits. Every rule
 * names the Slack page it comes from; a rule without a page does not belong here.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import type { FakeConversation } from "./fake-slack-api.js";

/**
 * Web API rate tiers: calls per minute, per app, per workspace. Slack allows short bursts above them
 * ("20+ per minute"); the fake enforces the floor, the safe reading.
 * https://api.slack.com/apis/rate-limits#tiers
 */
export const TIER_PER_MINUTE = { 1: 1, 2: 20, 3: 50, 4: 100 } as const;
export type Tier = keyof typeof TIER_PER_MINUTE;

type ConversationKind = NonNullable<FakeConversation["kind"]>;

export interface MethodRule {
  /** Rate tier (https://api.slack.com/methods/<method>, "Rate limits"); "special": chat.postMessage. */
  tier: Tier | "special";
  /** Scopes a bot token needs: one of these, or, per conversation kind, the one for the channel. */
  scopes?: readonly string[] | Readonly<Record<ConversationKind, string>>;
}

const READ_BY_KIND = { public: "channels:read", private: "groups:read", im: "im:read", mpim: "mpim:read" };
const HISTORY_BY_KIND = {
  public: "channels:history",
  private: "groups:history",
  im: "im:history",
  mpim: "mpim:history",
};
const TOPIC_BY_KIND = {
  public: "channels:write.topic",
  private: "groups:write.topic",
  im: "im:write.topic",
  mpim: "mpim:write.topic",
};

/** Per method: https://api.slack.com/methods/<method> (the "Facts" box: scopes and rate tier). */
export const METHOD_RULES: Readonly<Record<string, MethodRule>> = {
  "apps.connections.open": { tier: 1 },
  "auth.test": { tier: 4 },
  "auth.teams.list": { tier: 2 },
  "oauth.v2.access": { tier: 4 },
  // 1 per second per channel, bursts allowed, plus an unpublished workspace-wide limit (the fake's `limits`).
  "chat.postMessage": { tier: "special", scopes: ["chat:write"] },
  "chat.postEphemeral": { tier: 4, scopes: ["chat:write"] },
  "chat.getPermalink": { tier: 4 },
  "conversations.history": { tier: 3, scopes: HISTORY_BY_KIND },
  "conversations.info": { tier: 3, scopes: READ_BY_KIND },
  "conversations.members": { tier: 4, scopes: READ_BY_KIND },
  "conversations.open": { tier: 3, scopes: ["im:write", "mpim:write"] },
  "conversations.setTopic": { tier: 2, scopes: TOPIC_BY_KIND },
  "users.info": { tier: 4, scopes: ["users:read"] },
  "users.list": { tier: 2, scopes: ["users:read"] },
  "usergroups.list": { tier: 2, scopes: ["usergroups:read"] },
  "usergroups.create": { tier: 2, scopes: ["usergroups:write"] },
  "usergroups.users.update": { tier: 2, scopes: ["usergroups:write"] },
  "views.publish": { tier: 4 },
  "views.open": { tier: 4 },
};

/** The bot scopes manifest.yaml asks for: what an install of the app is granted. */
export function manifestBotScopes(): string[] {
  const manifest = parse(readFileSync(join(import.meta.dirname, "../../manifest.yaml"), "utf8")) as {
    oauth_config?: { scopes?: { bot?: string[] } };
  };
  return manifest.oauth_config?.scopes?.bot ?? [];
}

/** The scope `method` needs on a conversation of `kind`, or the ones any of which will do. */
export function neededScopes(method: string, kind: ConversationKind | undefined): string[] {
  const scopes = METHOD_RULES[method]?.scopes;
  if (!scopes) return [];
  if (Array.isArray(scopes)) return [...scopes];
  const byKind = scopes as Record<ConversationKind, string>;
  return kind ? [byKind[kind]] : Object.values(byKind);
}

/** conversations.setTopic: "The topic can be at most 250 characters" (https://api.slack.com/methods/conversations.setTopic). */
export const TOPIC_LIMIT = 250;
/** chat.postMessage: text over 40,000 characters is refused as msg_too_long (https://api.slack.com/methods/chat.postMessage#text_limits). */
export const MESSAGE_TEXT_LIMIT = 40_000;
/** response_url: "up to 5 times within 30 minutes" (https://api.slack.com/interactivity/handling#message_responses). */
export const RESPONSE_URL = { uses: 5, validMs: 30 * 60_000 };
/** A trigger_id "expires in 3 seconds" and opens one view (https://api.slack.com/interactivity/handling#modal_responses). */
export const TRIGGER_VALID_MS = 3_000;

/** Block Kit limits (https://api.slack.com/reference/block-kit/blocks, /block-elements, /surfaces). */
const LIMITS = {
  /** "up to 50 blocks in each message, and 100 blocks in modals or Home tabs" (/reference/block-kit/blocks). */
  messageBlocks: 50,
  viewBlocks: 100,
  sectionText: 3000,
  sectionFields: 10,
  fieldText: 2000,
  headerText: 150,
  actionsElements: 25,
  contextElements: 10,
  buttonText: 75,
  buttonValue: 2000,
  actionId: 255,
  blockId: 255,
};

interface BlockJson {
  type?: string;
  block_id?: string;
  text?: { text?: string };
  fields?: Array<{ text?: string }>;
  elements?: Array<{ type?: string; text?: { text?: string } | string; value?: string; action_id?: string }>;
}

/**
 * Why Slack would refuse these blocks, or undefined when it would take them. `surface` decides the
 * block count: 50 in a message, 100 in a modal or a Home tab.
 */
export function blockKitProblem(blocks: unknown, surface: "message" | "view"): string | undefined {
  if (!Array.isArray(blocks)) return "blocks is not an array";
  const max = surface === "message" ? LIMITS.messageBlocks : LIMITS.viewBlocks;
  if (blocks.length > max) return `more than ${max} blocks`;
  const actionIds = new Set<string>();
  for (const [i, raw] of blocks.entries()) {
    const b = raw as BlockJson;
    const at = `block ${i} (${b.type})`;
    if ((b.block_id ?? "").length > LIMITS.blockId) return `${at}: block_id over ${LIMITS.blockId}`;
    const text = b.text?.text ?? "";
    if (b.type === "section") {
      if (text.length > LIMITS.sectionText) return `${at}: text over ${LIMITS.sectionText}`;
      if ((b.fields ?? []).length > LIMITS.sectionFields) return `${at}: over ${LIMITS.sectionFields} fields`;
      if ((b.fields ?? []).some((f) => (f.text ?? "").length > LIMITS.fieldText))
        return `${at}: a field over ${LIMITS.fieldText}`;
      if (!text && !(b.fields ?? []).length) return `${at}: no text and no fields`;
    }
    if (b.type === "header" && (text.length < 1 || text.length > LIMITS.headerText))
      return `${at}: header text not 1-${LIMITS.headerText}`;
    if (b.type === "actions" && (b.elements ?? []).length > LIMITS.actionsElements)
      return `${at}: over ${LIMITS.actionsElements} elements`;
    if (b.type === "context" && (b.elements ?? []).length > LIMITS.contextElements)
      return `${at}: over ${LIMITS.contextElements} elements`;
    for (const e of b.type === "actions" ? (b.elements ?? []) : []) {
      const label = typeof e.text === "string" ? e.text : (e.text?.text ?? "");
      if (e.type === "button" && (label.length < 1 || label.length > LIMITS.buttonText))
        return `${at}: button text not 1-${LIMITS.buttonText}`;
      if ((e.value ?? "").length > LIMITS.buttonValue)
        return `${at}: button value over ${LIMITS.buttonValue}`;
      if ((e.action_id ?? "").length > LIMITS.actionId) return `${at}: action_id over ${LIMITS.actionId}`;
      // "action_id ... should be unique among all other action_ids in the containing block" and view.
      if (e.action_id && actionIds.has(e.action_id)) return `${at}: action_id ${e.action_id} repeated`;
      if (e.action_id) actionIds.add(e.action_id);
    }
  }
  return undefined;
}
