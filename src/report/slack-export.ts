/**
 * Reads a standard Slack workspace export (a ZIP: users.json, channels.json, groups.json, dms.json,
 * mpims.json where present, and one folder per conversation with one JSON file per day) as replay
 * scenario lines, in time order. The archive is read entry by entry, one day at a time across all
 * conversations, so memory follows the busiest day, not the size of the export.
 * Format: https://slack.com/help/articles/220556107-How-to-read-Slack-data-exports
 */
import yauzl, { type Entry, type ZipFile } from "yauzl";
import type { ScenarioLine } from "../adapters/local/scenario.js";

/** A conversation as the export's index files describe it. */
interface ExportedConversation {
  id: string;
  name?: string;
  members?: string[];
  /** dms.json carries no name: its folder is the conversation id. */
  folder: string;
  kind: "public" | "private" | "dm";
}

interface ExportedUser {
  id: string;
  name?: string;
  real_name?: string;
  tz?: string;
  is_bot?: boolean;
  profile?: { display_name?: string; real_name?: string };
}

interface ExportedMessage {
  type?: string;
  subtype?: string;
  user?: string;
  bot_id?: string;
  username?: string;
  text?: string;
  ts?: string;
  thread_ts?: string;
}

export interface ExportProgress {
  /** Day files read so far, and in all. */
  onProgress?(done: number, total: number): void;
  /** A file that could not be read or parsed; it is skipped. */
  onProblem?(problem: string): void;
}

const DAY_FILE = /^(?:.*\/)?([^/]+)\/(\d{4}-\d{2}-\d{2})\.json$/;

export async function* readSlackExport(
  path: string,
  options: ExportProgress = {},
): AsyncIterable<ScenarioLine> {
  const zip = await openZip(path);
  try {
    const entries = await listEntries(zip);
    const byName = new Map(entries.map((e) => [e.fileName.replace(/^[^/]+\/(?=[^/]+\.json$)/, ""), e]));
    const index = async <T>(name: string): Promise<T[]> => {
      const entry = byName.get(name);
      if (!entry) return [];
      const parsed = await readJson(zip, entry).catch((err: unknown) => {
        options.onProblem?.(`${name}: ${err instanceof Error ? err.message : err}`);
        return [];
      });
      return Array.isArray(parsed) ? (parsed as T[]) : [];
    };
    const users = await index<ExportedUser>("users.json");
    const conversations = [
      ...(await index<{ id: string; name: string; members?: string[] }>("channels.json")).map(
        (c): ExportedConversation => ({ ...c, folder: c.name, kind: "public" }),
      ),
      ...(await index<{ id: string; name: string; members?: string[] }>("groups.json")).map(
        (c): ExportedConversation => ({ ...c, folder: c.name, kind: "private" }),
      ),
      ...(await index<{ id: string; members?: string[] }>("dms.json")).map(
        (c): ExportedConversation => ({ ...c, folder: c.id, kind: "dm" }),
      ),
      ...(await index<{ id: string; name: string; members?: string[] }>("mpims.json")).map(
        (c): ExportedConversation => ({ ...c, folder: c.name, kind: "dm" }),
      ),
    ];
    const byFolder = new Map(conversations.map((c) => [c.folder, c]));

    // Group day files by date; a folder no index file names is read as a public channel of that name.
    const days = new Map<string, { folder: string; entry: Entry }[]>();
    for (const entry of entries) {
      const m = DAY_FILE.exec(entry.fileName);
      if (!m) continue;
      const [, folder, date] = m as unknown as [string, string, string];
      if (!byFolder.has(folder)) byFolder.set(folder, { id: folder, name: folder, folder, kind: "public" });
      const list = days.get(date) ?? [];
      list.push({ folder, entry });
      days.set(date, list);
    }
    const dates = [...days.keys()].sort();
    const dayFiles = [...days.values()].reduce((n, list) => n + list.length, 0);
    const start = dates[0] ? `${dates[0]}T00:00:00.000Z` : new Date(0).toISOString();

    for (const u of users) {
      const name = u.profile?.display_name || u.real_name || u.profile?.real_name || u.name;
      yield { type: "user", at: start, user: u.id, name, tz: validZone(u.tz), bot: u.is_bot || undefined };
    }
    const refs = new Map<string, string>();
    for (const c of byFolder.values()) {
      const ref = roomRef(c);
      if (!ref) continue;
      refs.set(c.folder, ref);
      if (c.kind !== "dm") yield { type: "room", at: start, room: ref, members: c.members };
    }

    const bots = new Set<string>(users.filter((u) => u.is_bot).map((u) => u.id));
    let done = 0;
    let last = Date.parse(start);
    for (const date of dates) {
      const lines: ScenarioLine[] = [];
      for (const { folder, entry } of days.get(date)!) {
        const room = refs.get(folder);
        const conversation = byFolder.get(folder)!;
        let messages: unknown;
        try {
          messages = await readJson(zip, entry);
        } catch (err) {
          options.onProblem?.(`${entry.fileName}: ${err instanceof Error ? err.message : err}`);
        }
        if (room && Array.isArray(messages))
          for (const m of messages as ExportedMessage[]) {
            // An integration posts with a bot id the users list does not hold: declare it, as a bot.
            if (m.bot_id && !m.user && !bots.has(m.bot_id)) {
              bots.add(m.bot_id);
              yield {
                type: "user",
                at: new Date(last).toISOString(),
                user: m.bot_id,
                name: m.username,
                bot: true,
              };
            }
            const line = toLine(m, room, conversation.id);
            if (line) lines.push(line);
          }
        options.onProgress?.(++done, dayFiles);
      }
      lines.sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
      for (const line of lines) {
        // Day files are cut by date; a message on the border may sort before the previous day's last.
        const at = Math.max(Date.parse(line.at), last);
        last = at;
        yield { ...line, at: new Date(at).toISOString() };
      }
    }
  } finally {
    zip.close();
  }
}

/** `#name`, `~name`, or `dm:U1,U2[,U3]` from the members of a DM; undefined for a DM with no members listed. */
function roomRef(c: ExportedConversation): string | undefined {
  if (c.kind === "dm") {
    const members = [...new Set(c.members ?? [])];
    return members.length >= 2 ? `dm:${members.join(",")}` : undefined;
  }
  const name = (c.name ?? c.folder).replace(/[\s#~]+/g, "-");
  return `${c.kind === "public" ? "#" : "~"}${name}`;
}

/** One exported message as a scenario line; joins and leaves become membership lines. */
function toLine(m: ExportedMessage, room: string, conversation: string): ScenarioLine | undefined {
  if (m.type !== "message" || !m.ts) return undefined;
  const at = new Date(Number.parseFloat(m.ts) * 1000);
  if (Number.isNaN(at.getTime())) return undefined;
  const iso = at.toISOString();
  const user = m.user ?? m.bot_id;
  if (!user) return undefined;
  if (m.subtype === "channel_join" || m.subtype === "group_join")
    return { type: "join", at: iso, user, room };
  if (m.subtype === "channel_leave" || m.subtype === "group_leave")
    return { type: "leave", at: iso, user, room };
  // Edits and deletions are folded into the message by the export; other system subtypes are not talk.
  if (m.subtype && !TALK_SUBTYPES.has(m.subtype)) return undefined;
  const { text, mentions } = plainText(m.text ?? "");
  const thread = m.thread_ts && m.thread_ts !== m.ts ? `${conversation}/${m.thread_ts}` : undefined;
  return {
    type: "message",
    at: iso,
    id: `${conversation}/${m.ts}`,
    user,
    room,
    text,
    ...(thread ? { thread } : {}),
    mentions,
  };
}

// Subtypes that are someone talking (a file shared with a comment, a reply also sent to the channel, a bot).
const TALK_SUBTYPES = new Set([
  "file_share",
  "thread_broadcast",
  "bot_message",
  "me_message",
  "file_comment",
]);

/** Slack's markup → the replay's: `<@U1>` → `@U1` (and a mention), `<!channel>`/`<!everyone>` → `@channel`, `<!here>` → `@here`. */
export function plainText(markup: string): { text: string; mentions: string[] } {
  const mentions: string[] = [];
  const text = markup
    .replace(/<@([UW][A-Z0-9]+)(?:\|[^>]*)?>/g, (_, id: string) => {
      if (!mentions.includes(id)) mentions.push(id);
      return `@${id}`;
    })
    .replace(/<!(channel|everyone)(?:\|[^>]*)?>/g, "@channel")
    .replace(/<!here(?:\|[^>]*)?>/g, "@here")
    .replace(/<(https?:[^|>]+)(?:\|[^>]*)?>/g, "$1")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&amp;/g, "&");
  return { text, mentions };
}

function validZone(tz: string | undefined): string | undefined {
  if (!tz) return undefined;
  try {
    new Intl.DateTimeFormat("en", { timeZone: tz });
    return tz;
  } catch {
    return undefined;
  }
}

function openZip(path: string): Promise<ZipFile> {
  return new Promise((resolve, reject) =>
    yauzl.open(path, { lazyEntries: true, autoClose: false }, (err, zip) =>
      err ? reject(err) : resolve(zip),
    ),
  );
}

/** The central directory's entries (names and offsets only; nothing is decompressed). */
function listEntries(zip: ZipFile): Promise<Entry[]> {
  return new Promise((resolve, reject) => {
    const entries: Entry[] = [];
    zip.on("entry", (e: Entry) => {
      if (!e.fileName.endsWith("/")) entries.push(e);
      zip.readEntry();
    });
    zip.once("end", () => resolve(entries));
    zip.once("error", reject);
    zip.readEntry();
  });
}

function readJson(zip: ZipFile, entry: Entry): Promise<unknown> {
  return new Promise((resolve, reject) => {
    zip.openReadStream(entry, (err, stream) => {
      if (err) return reject(err);
      const chunks: Buffer[] = [];
      stream.on("data", (c: Buffer) => chunks.push(c));
      stream.once("error", reject);
      stream.once("end", () => {
        try {
          resolve(JSON.parse(Buffer.concat(chunks).toString("utf8")));
        } catch {
          reject(new Error("not valid JSON"));
        }
      });
    });
  });
}
