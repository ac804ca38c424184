/**
 * A person on the homeserver, as a Matrix client would act for them: plain fetch against the
 * client-server API (v3). They sync to see what arrives (messages, invitations), and the tests assert
 * on what they saw: event types, bodies and rooms.
 */
import { randomUUID } from "node:crypto";
import type { Account } from "./synapse.js";

export interface SeenEvent {
  room_id: string;
  event_id: string;
  sender: string;
  type: string;
  content: Record<string, unknown>;
  state_key?: string;
}

interface SyncBody {
  next_batch: string;
  rooms?: {
    join?: Record<string, { timeline?: { events?: SeenEvent[] } }>;
    invite?: Record<string, { invite_state?: { events?: SeenEvent[] } }>;
  };
}

export class Person {
  readonly userId: string;
  /** Everything this person has seen in their rooms' timelines, oldest first. */
  readonly seen: SeenEvent[] = [];
  /** Rooms they are invited to and have not answered: room id → who invited them. */
  readonly invites = new Map<string, { inviter: string; isDirect: boolean }>();
  /** Every invitation this person received, in order: room and inviter. */
  readonly invitations: Array<{ roomId: string; inviter: string }> = [];
  /** Invitations from these people are accepted as soon as they are seen (the bot's DM rooms). */
  readonly acceptsInvitesFrom = new Set<string>();
  private since: string | undefined;

  constructor(
    private readonly baseUrl: string,
    private readonly account: Account,
    readonly displayName: string,
  ) {
    this.userId = account.userId;
  }

  async request<T = Record<string, unknown>>(method: string, path: string, body?: unknown): Promise<T> {
    const res = await fetch(`${this.baseUrl}/_matrix/client/v3${path}`, {
      method,
      headers: {
        authorization: `Bearer ${this.account.accessToken}`,
        ...(body === undefined ? {} : { "content-type": "application/json" }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const json = (await res.json().catch(() => ({}))) as T;
    if (!res.ok)
      throw new Error(`${this.displayName}: ${method} ${path} → ${res.status} ${JSON.stringify(json)}`);
    return json;
  }

  async setDisplayName(): Promise<void> {
    await this.request("PUT", `/profile/${encodeURIComponent(this.userId)}/displayname`, {
      displayname: this.displayName,
    });
  }

  /** A new room; `options` is the createRoom body (name, preset, invite, is_direct, power levels…). */
  async createRoom(options: Record<string, unknown>): Promise<string> {
    return (await this.request<{ room_id: string }>("POST", "/createRoom", options)).room_id;
  }

  async invite(roomId: string, userId: string): Promise<void> {
    await this.request("POST", `/rooms/${encodeURIComponent(roomId)}/invite`, { user_id: userId });
  }

  async join(roomId: string): Promise<void> {
    await this.request("POST", `/join/${encodeURIComponent(roomId)}`, {});
  }

  async leave(roomId: string): Promise<void> {
    await this.request("POST", `/rooms/${encodeURIComponent(roomId)}/leave`, {});
  }

  /** Sends an `m.room.message`; returns its event id. */
  async send(roomId: string, content: Record<string, unknown>): Promise<string> {
    const path = `/rooms/${encodeURIComponent(roomId)}/send/m.room.message/${randomUUID()}`;
    return (await this.request<{ event_id: string }>("PUT", path, content)).event_id;
  }

  /** A plain text message; `thread` makes it a reply in that thread, as Element sends one. */
  say(roomId: string, body: string, options: { thread?: string } = {}): Promise<string> {
    const content: Record<string, unknown> = { msgtype: "m.text", body };
    if (options.thread)
      content["m.relates_to"] = {
        rel_type: "m.thread",
        event_id: options.thread,
        is_falling_back: true,
        "m.in_reply_to": { event_id: options.thread },
      };
    return this.send(roomId, content);
  }

  async react(roomId: string, target: string, key: string): Promise<string> {
    const path = `/rooms/${encodeURIComponent(roomId)}/send/m.reaction/${randomUUID()}`;
    const content = { "m.relates_to": { rel_type: "m.annotation", event_id: target, key } };
    return (await this.request<{ event_id: string }>("PUT", path, content)).event_id;
  }

  async state(roomId: string, type: string, stateKey = ""): Promise<Record<string, unknown> | undefined> {
    try {
      return await this.request("GET", `/rooms/${encodeURIComponent(roomId)}/state/${type}/${stateKey}`);
    } catch {
      return undefined;
    }
  }

  async joinedMembers(roomId: string): Promise<string[]> {
    const res = await this.request<{ joined: Record<string, unknown> }>(
      "GET",
      `/rooms/${encodeURIComponent(roomId)}/joined_members`,
    );
    return Object.keys(res.joined);
  }

  /** One /sync: new timeline events go to `seen`, new invitations to `invites`. */
  async sync(timeoutMs = 0): Promise<void> {
    const query = new URLSearchParams({
      timeout: String(timeoutMs),
      // Enough of a newly joined room's timeline to include what the bot said before the join.
      filter: JSON.stringify({ room: { timeline: { limit: 50 } } }),
    });
    if (this.since) query.set("since", this.since);
    const body = await this.request<SyncBody>("GET", `/sync?${query}`);
    const first = this.since === undefined;
    this.since = body.next_batch;
    for (const [roomId, room] of Object.entries(body.rooms?.join ?? {})) {
      this.invites.delete(roomId);
      if (first) continue; // history from before the test's first look
      for (const e of room.timeline?.events ?? []) this.seen.push({ ...e, room_id: roomId });
    }
    for (const [roomId, room] of Object.entries(body.rooms?.invite ?? {})) {
      const invite = room.invite_state?.events?.find(
        (e) => e.type === "m.room.member" && e.state_key === this.userId,
      );
      if (!invite) continue;
      if (!this.invitations.some((i) => i.roomId === roomId))
        this.invitations.push({ roomId, inviter: invite.sender });
      if (this.acceptsInvitesFrom.has(invite.sender)) await this.join(roomId);
      else this.invites.set(roomId, { inviter: invite.sender, isDirect: invite.content.is_direct === true });
    }
  }

  /** Syncs until `count` events match `filter` (or fails after `timeoutMs` saying what it saw). */
  async waitFor(
    what: string,
    filter: (e: SeenEvent) => boolean,
    options: { count?: number; timeoutMs?: number } = {},
  ): Promise<SeenEvent[]> {
    const count = options.count ?? 1;
    const deadline = Date.now() + (options.timeoutMs ?? 60_000);
    for (;;) {
      const found = this.seen.filter(filter);
      if (found.length >= count) return found;
      if (Date.now() > deadline)
        throw new Error(
          `${this.displayName} waited for ${count} × ${what}, saw ${found.length}; last events:\n${this.seen
            .slice(-8)
            .map((e) => `${e.room_id} ${e.type} ${e.sender}: ${String(e.content.body ?? "").slice(0, 140)}`)
            .join("\n")}`,
        );
      await this.sync(1000);
    }
  }

  /** Syncs until an invitation to a room matching `filter` arrives, joins it, and returns the room. */
  async acceptInvite(
    filter: (roomId: string, invite: { inviter: string; isDirect: boolean }) => boolean = () => true,
    timeoutMs = 60_000,
  ): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = [...this.invites.entries()].find(([roomId, invite]) => filter(roomId, invite));
      if (found) {
        await this.join(found[0]);
        this.invites.delete(found[0]);
        return found[0];
      }
      if (Date.now() > deadline) throw new Error(`${this.displayName} got no invitation`);
      await this.sync(1000);
    }
  }
}

/** The bot's notices a person saw, in one room (or any room), oldest first. */
export function noticesFrom(bot: string, roomId?: string) {
  return (e: SeenEvent): boolean =>
    e.sender === bot &&
    e.type === "m.room.message" &&
    e.content.msgtype === "m.notice" &&
    (roomId === undefined || e.room_id === roomId);
}

export function bodyOf(e: SeenEvent | undefined): string {
  return String(e?.content.body ?? "");
}

/** The thread an event belongs to (`m.thread`), if any. */
export function threadOf(e: SeenEvent | undefined): string | undefined {
  const rel = e?.content["m.relates_to"] as { rel_type?: string; event_id?: string } | undefined;
  return rel?.rel_type === "m.thread" ? rel.event_id : undefined;
}
