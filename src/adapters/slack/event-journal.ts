/**
 * A write-ahead journal of the Events API events this process has acknowledged and not yet finished,
 * for the few milliseconds before the event inbox (issue 15) has them. Bolt acknowledges an event
 * before any listener runs, and Slack never sends an acknowledged event again; the inbox writes an
 * event with its mark's batch (50 ms) or the one after it, so an event acknowledged in the last ~100 ms
 * before a crash was lost. The journal is written before Bolt acknowledges: a line when an event
 * comes (its body as the request carried it), and a line when its handling ends (written with the next
 * event's line, or within ENDS_WAIT_MS when none comes). The events that come in one turn of the event
 * loop are written together at its end, in one write, and none is acknowledged before it. After a crash (SIGKILL included: the lines are
 * in the file system's cache, not in this process), the next start of a process on the same data
 * directory handles again every event that came and did not end, unless the inbox has it.
 *
 * Only what the inbox would keep is written: never a message of a DM or private channel. The journal
 * of a data directory is kept per database (a hash of its URL names the folder): an event is handed on
 * only to a process that records its mark where the dead one did, so a bot pointed at another
 * database (or schema) never takes another's events for its own. Each process writes its own file, named by its pid and start time so that a restarted container (pid 1 again) is
 * told from the process it replaces; a file is small, rewritten with only the unfinished events once it
 * passes 1 MiB. A power cut can lose what the file system had not written (no fsync per event: the
 * guarantee is for the process dying, not the machine).
 */

import { createHash } from "node:crypto";
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  unlinkSync,
  writeSync,
} from "node:fs";
import { join } from "node:path";

const PREFIX = "slack-events-";
const SUFFIX = ".journal";
const ROTATE_BYTES = 1024 * 1024;
const NEWLINE = 0x0a;
const LINE_END = Buffer.from("}\n");
/**
 * How long an end line may wait for the next event's write. Under steady traffic every end goes out
 * with the next event's line, one write per event instead of two (at 200 events/s these writes were
 * the largest item a profile showed among what this path adds to Bolt's); only a quiet spell needs a
 * write of its own. An end a crash kept from the file makes the event be handled again after the
 * restart, finding done what it did.
 */
const ENDS_WAIT_MS = 100;

export interface JournaledEvent {
  workspace: string;
  eventId: string;
  body: unknown;
}

interface Line {
  /** `r`: came (with its body); `d`: its handling ended. */
  k: "r" | "d";
  w: string;
  e: string;
  b?: unknown;
}

export class SlackEventJournal {
  private readonly dir: string;
  private readonly owner: string;
  private file = 0;
  private fd: number;
  private bytes = 0;
  private closing = false;
  /** The lines of the events that came and have not ended, for the next file when this one is full. */
  private readonly unfinished = new Map<string, Buffer>();
  /** The end lines not written yet (see `ended`). */
  private ends = "";
  private endsScheduled = false;
  /** The lines of the events that came in this turn of the event loop, and who waits for their write. */
  private comingLines: Buffer[] = [];
  private comingWait: Array<{ written(): void; failed(err: unknown): void }> = [];

  /** `database`: the URL of the database the marks and the inbox are in. */
  constructor(dataDir: string, database: string) {
    const db = createHash("sha256").update(database).digest("hex").slice(0, 12);
    this.dir = join(dataDir, "slack-journal", db);
    mkdirSync(this.dir, { recursive: true });
    this.owner = ownerName(process.pid, startTimeOf(process.pid));
    this.fd = openSync(this.path(this.file), "a");
  }

  /**
   * An event came: resolves once its line is written, which must be before it is acknowledged. The
   * lines of the events that come in the same turn of the event loop go in one write at its end (a
   * busy server takes several requests a turn: near its highest rate, about ten). `raw`, when given,
   * is the body's JSON text as it arrived (what `body` was parsed from): written as it is, rather than
   * serialised again.
   */
  came(workspace: string, eventId: string, body: unknown, raw?: Buffer): Promise<void> {
    const head = `{"k":"r","w":${JSON.stringify(workspace)},"e":${JSON.stringify(eventId)},"b":`;
    // One line per event: a body whose text holds a line break (JSON allows one between tokens) is
    // written serialised again, on one line.
    const line =
      raw && raw.indexOf(NEWLINE) < 0
        ? Buffer.concat([Buffer.from(head), raw, LINE_END])
        : Buffer.from(`${head}${JSON.stringify(body)}}\n`);
    this.unfinished.set(keyOf(workspace, eventId), line);
    if (this.comingLines.length === 0) setImmediate(this.writeComing);
    this.comingLines.push(line);
    return new Promise((written, failed) => this.comingWait.push({ written, failed }));
  }

  /** The lines of the events that came this turn, after the ends waiting for a write: one write. */
  private readonly writeComing = (): void => {
    const lines = this.comingLines;
    const waiting = this.comingWait;
    this.comingLines = [];
    this.comingWait = [];
    try {
      if (this.ends) lines.unshift(Buffer.from(this.ends));
      this.ends = "";
      this.write(Buffer.concat(lines));
    } catch (err) {
      for (const w of waiting) w.failed(err);
      return;
    }
    for (const w of waiting) w.written();
  };

  /**
   * Its handling ended, however it went. The line is written with the next event's, or within
   * ENDS_WAIT_MS with the other ends waiting (one write for all of them): an event whose end a crash
   * kept from the file is handled again after the restart, as one the crash cut short, and finds
   * done what its first run did (docs/delivery.md).
   */
  ended(workspace: string, eventId: string): void {
    if (!this.unfinished.delete(keyOf(workspace, eventId))) return;
    const line = `{"k":"d","w":${JSON.stringify(workspace)},"e":${JSON.stringify(eventId)}}\n`;
    if (this.closing) {
      this.write(Buffer.from(line));
      if (this.unfinished.size === 0) this.remove();
      return;
    }
    this.ends += line;
    if (!this.endsScheduled) {
      this.endsScheduled = true;
      setTimeout(this.writeEnds, ENDS_WAIT_MS).unref();
    }
  }

  private readonly writeEnds = (): void => {
    this.endsScheduled = false;
    if (!this.ends) return;
    const ends = this.ends;
    this.ends = "";
    this.write(Buffer.from(ends));
  };

  /**
   * The events that came to processes no longer running and did not end there, in the order they
   * came; `release()` deletes their files once they are handed on (each is written again here as it
   * comes again).
   */
  abandoned(): { events: JournaledEvent[]; release(): void } {
    const files = readdirSync(this.dir)
      .filter((name) => name.startsWith(PREFIX) && name.endsWith(SUFFIX))
      .filter((name) => !name.startsWith(`${PREFIX}${this.owner}-`))
      .filter((name) => !alive(name))
      .sort(byOwnerThenNumber);
    const open = new Map<string, JournaledEvent>();
    for (const name of files)
      for (const text of readFileSync(join(this.dir, name), "utf8").split("\n")) {
        const line = parse(text);
        if (!line) continue; // the last line of a process killed while writing it
        const key = keyOf(line.w, line.e);
        if (line.k === "d") open.delete(key);
        else if (!open.has(key)) open.set(key, { workspace: line.w, eventId: line.e, body: line.b });
      }
    return {
      events: [...open.values()],
      release: () => {
        for (const name of files) unlinkIfThere(join(this.dir, name));
      },
    };
  }

  /**
   * A clean stop: the file goes once every event in it has ended (at once, usually). Events still
   * running write their end as before, so a later start does not handle them again.
   */
  close(): void {
    this.closing = true;
    if (this.unfinished.size === 0) this.remove();
    else this.writeEnds();
  }

  private remove(): void {
    if (this.fd < 0) return;
    closeSync(this.fd);
    this.fd = -1;
    unlinkIfThere(this.path(this.file));
  }

  private write(lines: Buffer): void {
    if (this.fd < 0) return; // removed at a clean stop: nothing runs that needs it
    writeSync(this.fd, lines);
    this.bytes += lines.length;
    if (this.bytes > ROTATE_BYTES) this.rotate();
  }

  /**
   * A new file with only the unfinished events; the full one goes once they are in it. (Ends not
   * written yet are of events the new file does not have.)
   */
  private rotate(): void {
    const full = this.path(this.file);
    const fd = openSync(this.path(++this.file), "a");
    this.ends = "";
    const carried = Buffer.concat([...this.unfinished.values()]);
    if (carried.length > 0) writeSync(fd, carried);
    closeSync(this.fd);
    this.fd = fd;
    this.bytes = carried.length;
    unlinkIfThere(full);
  }

  private path(n: number): string {
    return join(this.dir, `${PREFIX}${this.owner}-${n}${SUFFIX}`);
  }
}

function keyOf(workspace: string, eventId: string): string {
  return `${workspace}\u0000${eventId}`;
}

function parse(text: string): Line | undefined {
  if (!text) return undefined;
  try {
    const line = JSON.parse(text) as Line;
    return typeof line.w === "string" && typeof line.e === "string" ? line : undefined;
  } catch {
    return undefined;
  }
}

function ownerName(pid: number, started: string): string {
  return `${pid}.${started}`;
}

/** `slack-events-<pid>.<start>-<n>.journal` → its process still runs (the same one, not a new one with its pid). */
function alive(name: string): boolean {
  const owner = name.slice(PREFIX.length, name.lastIndexOf("-"));
  const pid = Number(owner.split(".")[0]);
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
  return ownerName(pid, startTimeOf(pid)) === owner;
}

/** When a process started (Linux: /proc/<pid>/stat, field 22); "0" where that cannot be read. */
function startTimeOf(pid: number): string {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // The command name (field 2) may hold spaces and parentheses: count from the last ")".
    return stat.slice(stat.lastIndexOf(")") + 2).split(" ")[19] ?? "0";
  } catch {
    return "0";
  }
}

function byOwnerThenNumber(a: string, b: string): number {
  const [ownerA, nA] = [a.slice(0, a.lastIndexOf("-")), Number.parseInt(a.slice(a.lastIndexOf("-") + 1), 10)];
  const [ownerB, nB] = [b.slice(0, b.lastIndexOf("-")), Number.parseInt(b.slice(b.lastIndexOf("-") + 1), 10)];
  return ownerA === ownerB ? nA - nB : ownerA.localeCompare(ownerB);
}

function unlinkIfThere(path: string): void {
  if (existsSync(path)) unlinkSync(path);
}
