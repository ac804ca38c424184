/**
 * Room-scoped report links for platforms without a sign-in of their own (Matrix): a room admin asks
 * the bot, which sends them privately `<OUTLOUD_PUBLIC_URL>/report?token=…`. The token is
 * `base64url(json).hmac`, signed with a key derived from `REPORT_SECRET`, so any replica can check it
 * and nothing needs storing. It expires after a day and opens that one room's report only.
 */
import { createHmac, timingSafeEqual } from "node:crypto";
import type { Env } from "../config/env.js";

export const LINK_TTL_MS = 24 * 60 * 60_000;

/** What a link lets its holder see, until when. */
export interface ReportLinkScope {
  workspace: string;
  room: string;
  exp: number;
}

/** Derives a purpose-bound key, so a link signature can never pass as a session cookie's (or back). */
export function reportKey(secret: string, purpose: "session" | "link"): Buffer {
  return createHmac("sha256", `outloud-report-${purpose}`).update(secret).digest();
}

/** Issues report links when the bot has both a secret to sign them and an address to point them to. */
export function reportLinks(env: Env): ReportLinks | undefined {
  if (!env.REPORT_SECRET || !env.OUTLOUD_PUBLIC_URL) return undefined;
  return new ReportLinks(reportKey(env.REPORT_SECRET, "link"), env.OUTLOUD_PUBLIC_URL);
}

export class ReportLinks {
  constructor(
    private readonly key: Buffer,
    private readonly publicUrl: string,
  ) {}

  /** The link to one room's live report, valid for a day from `now`. */
  link(workspace: string, room: string, now: Date): string {
    const url = new URL("/report", this.publicUrl);
    url.searchParams.set(
      "token",
      signedToken(this.key, { workspace, room, exp: now.getTime() + LINK_TTL_MS }),
    );
    return url.href;
  }
}

/** The scope a token grants, or undefined when it is forged, damaged or expired. */
export function readLinkToken(key: Buffer, token: string, now: number): ReportLinkScope | undefined {
  const [body, mac, extra] = token.split(".");
  if (!body || !mac || extra !== undefined || !sameSecret(mac, signature(key, body))) return undefined;
  try {
    const scope = JSON.parse(Buffer.from(body, "base64url").toString("utf8")) as Partial<ReportLinkScope>;
    if (typeof scope.workspace !== "string" || typeof scope.room !== "string") return undefined;
    if (typeof scope.exp !== "number" || scope.exp <= now) return undefined;
    return { workspace: scope.workspace, room: scope.room, exp: scope.exp };
  } catch {
    return undefined;
  }
}

/** `base64url(json).hmac`: the shape of both the links and the session cookies. */
export function signedToken(key: Buffer, payload: object): string {
  const body = Buffer.from(JSON.stringify(payload)).toString("base64url");
  return `${body}.${signature(key, body)}`;
}

export function signature(key: Buffer, body: string): string {
  return createHmac("sha256", key).update(body).digest("base64url");
}

/** Compares secrets in constant time (a wrong guess takes as long as a nearly right one). */
export function sameSecret(given: string, expected: string): boolean {
  const a = createHmac("sha256", "compare").update(given).digest();
  const b = createHmac("sha256", "compare").update(expected).digest();
  return timingSafeEqual(a, b);
}
