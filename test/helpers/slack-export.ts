/**
 * Writes a Slack workspace export ZIP for tests, in the documented layout: users.json, channels.json,
 * groups.json, dms.json, and one folder per conversation with one JSON array of messages per day
 * (https://slack.com/help/articles/220556107-How-to-read-Slack-data-exports). Message shapes follow
 * the export: `ts` strings, `thread_ts` on replies, `subtype` for bots, joins and file shares.
 */
import { createWriteStream } from "node:fs";
import yazl from "yazl";

export interface ExportMessage {
  type: "message";
  ts: string;
  user?: string;
  text: string;
  subtype?: string;
  thread_ts?: string;
  bot_id?: string;
  edited?: { user: string; ts: string };
  files?: { id: string; name: string; mimetype: string }[];
  reply_count?: number;
}

export interface SlackExportContent {
  users: { id: string; name: string; real_name?: string; tz?: string; is_bot?: boolean }[];
  channels: { id: string; name: string; members: string[] }[];
  groups?: { id: string; name: string; members: string[] }[];
  dms?: { id: string; members: string[] }[];
  /** Folder (channel name, or DM id) → day `YYYY-MM-DD` → that day's messages (a string is written as is). */
  days: Record<string, Record<string, ExportMessage[] | string>>;
}

/** A message at an ISO time, with Slack's `ts` (seconds with microseconds, as a string). */
export function mkExportMessage(
  at: string,
  fields: Partial<ExportMessage> & { text: string },
): ExportMessage {
  return { type: "message", ts: slackTs(at), ...fields };
}

export function slackTs(at: string): string {
  return (Date.parse(at) / 1000).toFixed(6);
}

export async function writeSlackExport(path: string, content: SlackExportContent): Promise<void> {
  const zip = new yazl.ZipFile();
  const json = (name: string, value: unknown) =>
    zip.addBuffer(Buffer.from(typeof value === "string" ? value : JSON.stringify(value, null, 2)), name);
  json("users.json", content.users);
  json(
    "channels.json",
    content.channels.map((c) => ({ ...c, created: 1_700_000_000, is_general: false })),
  );
  if (content.groups) json("groups.json", content.groups);
  if (content.dms) json("dms.json", content.dms);
  for (const [folder, days] of Object.entries(content.days))
    for (const [day, messages] of Object.entries(days)) json(`${folder}/${day}.json`, messages);
  await new Promise<void>((resolve, reject) => {
    zip.outputStream.pipe(createWriteStream(path)).on("close", resolve).on("error", reject);
    zip.end();
  });
}
