/**
 * Markdown ADR files, one per decision (`0012-use-postgres-for-events.md`), with YAML front matter and
 * the Nygard sections (status, context, decision) that adr-tools and log4brains use, plus a
 * regenerated index. Optionally the folder is a git repository: each export is a commit with a clear
 * message, pushed to a configured remote.
 */
import { execFile } from "node:child_process";
import { mkdir, readdir, readFile, realpath, rename, rm, writeFile } from "node:fs/promises";
import { isAbsolute, join, relative, resolve } from "node:path";
import { promisify } from "node:util";
import { parse as parseYaml } from "yaml";
import { z } from "zod";
import type { DocumentExporter, ExportReceipt } from "../core/decisions/exporter.js";
import type { DecisionRecord } from "../core/decisions/model.js";
import { slugOf } from "../core/decisions/text.js";
import { redactUrls, roomMatches, roomsSetting, SerialQueue } from "./common.js";
import { escapeMarkdown, escapeMarkdownInline, frontMatter } from "./escape.js";

const run = promisify(execFile);

export const markdownSettings = z
  .strictObject({
    enabled: z.boolean().default(true).describe("Write one Markdown file per decision."),
    directory: z
      .string()
      .default("")
      .describe(
        "Folder for the decision files; empty means <OUTLOUD_DATA_DIR>/decisions/{workspace}. {workspace} is replaced by the workspace id, so each workspace (or homeserver) numbers its decisions in a folder of its own.",
      ),
    index: z
      .string()
      .regex(/^[\w-]+\.md$/, "must be a plain .md file name")
      .default("README.md")
      .describe("Name of the regenerated index of all decisions in the folder."),
    rooms: roomsSetting,
    git: z
      .strictObject({
        enabled: z
          .boolean()
          .default(false)
          .describe("Commit each change in a git repository (created if the folder is not in one)."),
        remote: z
          .string()
          .default("")
          .describe("Remote name or URL to push to after each commit; empty means commit only."),
        branch: z
          .string()
          .regex(/^[\w./-]+$/)
          .default("main")
          .describe("Branch to commit on and push to."),
        authorName: z.string().default("Outloud").describe("Commit author name."),
        authorEmail: z.string().default("outloud@localhost").describe("Commit author e-mail."),
      })
      .prefault({})
      .describe("Optional git repository around the folder."),
  })
  .describe("Markdown/ADR files under a folder, optionally committed and pushed with git.");

export type MarkdownSettings = z.infer<typeof markdownSettings>;

const FILE = /^(\d{4,})-[a-z0-9-]+\.md$/;
// Files, the index and the git index of a folder are shared state: one export at a time per folder in
// this process, even with several engines (Slack and Matrix side by side) and so several exporters.
const QUEUES = new Map<string, SerialQueue>();

export class MarkdownGitExporter implements DocumentExporter {
  readonly target = "markdown";

  constructor(
    private readonly settings: MarkdownSettings,
    private readonly dataDir: string,
  ) {}

  accepts(decision: Pick<DecisionRecord, "room">): boolean {
    return roomMatches(this.settings.rooms, decision);
  }

  /** The folder for a workspace's decisions. */
  directoryFor(workspace: string): string {
    const configured = this.settings.directory || join(this.dataDir, "decisions", "{workspace}");
    return resolve(configured.replaceAll("{workspace}", slugOf(workspace)));
  }

  export(decision: DecisionRecord): Promise<ExportReceipt> {
    return this.serially(decision.workspace, () => this.write(decision));
  }

  /** Runs `work` when no other export or withdrawal is writing to the workspace's folder. */
  private serially<T>(workspace: string, work: () => Promise<T>): Promise<T> {
    const dir = this.directoryFor(workspace);
    let queue = QUEUES.get(dir);
    if (!queue) {
      queue = new SerialQueue();
      QUEUES.set(dir, queue);
    }
    return queue.run(work);
  }

  /**
   * An undone decision: its file goes, and the index (and the repository) no longer list it. Called
   * again after a failure (the export outbox retries it), it commits and pushes a removal that an
   * earlier attempt made in the folder but could not commit (git busy, remote down).
   */
  withdraw(decision: DecisionRecord): Promise<void> {
    const dir = this.directoryFor(decision.workspace);
    return this.serially(decision.workspace, async () => {
      const files = await decisionFiles(dir).catch((err: NodeJS.ErrnoException) => {
        if (err.code === "ENOENT") return undefined; // never exported here: nothing to take back
        throw err;
      });
      if (!files) return;
      // Another workspace's file with the same number (a shared folder) is not ours to remove.
      const mine = files.filter(
        (f) => f.number === decision.number && (!f.workspace || f.workspace === decision.workspace),
      );
      for (const f of mine) await rm(join(dir, f.name));
      if (mine.length)
        await writeAtomically(join(dir, this.settings.index), renderIndex(await decisionFiles(dir)));
      if (!this.settings.git.enabled || (mine.length === 0 && !(await insideRepository(dir)))) return;
      const name = mine[0]?.name ?? fileName(decision.number, decision.title);
      await this.commitRecovering(dir, name, decision, "undone");
    });
  }

  private async write(decision: DecisionRecord): Promise<ExportReceipt> {
    const dir = this.directoryFor(decision.workspace);
    await mkdir(dir, { recursive: true });
    if (this.settings.git.enabled) await this.ensureRepository(dir);
    const files = await decisionFiles(dir);
    const name = fileName(decision.number, decision.title);
    // Idempotent: the file is keyed by its number; any earlier name for the same number is replaced.
    for (const f of files.filter((f) => f.number === decision.number)) {
      if (f.workspace && f.workspace !== decision.workspace) {
        // Said to people of this workspace: the other's file name (its title) and id stay out of it.
        throw new Error(
          `decision file ${decision.number} in this folder belongs to another workspace: put {workspace} in the markdown directory setting`,
        );
      }
      if (f.name !== name) await rm(join(dir, f.name));
    }
    const byNumber = new Map(files.map((f) => [f.number, f.name]));
    await writeAtomically(join(dir, name), renderAdr(decision, byNumber));
    await writeAtomically(join(dir, this.settings.index), renderIndex(await decisionFiles(dir)));
    // Shown in chat: relative to the data folder when inside it, rather than the server's full path.
    const inData = relative(this.dataDir, join(dir, name));
    let location = inData.startsWith("..") || isAbsolute(inData) ? join(dir, name) : inData;
    if (this.settings.git.enabled) location = await this.commitRecovering(dir, name, decision);
    return { ref: name, location };
  }

  /**
   * Commits, once more after removing a lock that a crashed git of ours left behind. Ours for sure
   * only when the repository is this folder itself (no person or other tool works in it) and no git
   * of ours runs now (exports of a folder run one at a time); anywhere else the error says what to do.
   */
  private async commitRecovering(
    dir: string,
    name: string,
    decision: DecisionRecord,
    what?: "undone",
  ): Promise<string> {
    try {
      return await this.commitAndPush(dir, name, decision, what);
    } catch (err) {
      if (!(err instanceof GitLockedError)) throw err;
      const top = await realpath((await git(dir, ["rev-parse", "--show-toplevel"])).trim());
      if (top !== (await realpath(dir))) throw err;
      await rm(err.lockFile, { force: true });
      return this.commitAndPush(dir, name, decision, what);
    }
  }

  private async ensureRepository(dir: string): Promise<void> {
    try {
      await git(dir, ["rev-parse", "--show-toplevel"]);
    } catch {
      await git(dir, ["init", "--quiet", `--initial-branch=${this.settings.git.branch}`]);
    }
  }

  private async commitAndPush(
    dir: string,
    name: string,
    decision: DecisionRecord,
    what?: "undone",
  ): Promise<string> {
    const { branch, remote, authorName, authorEmail } = this.settings.git;
    const top = (await git(dir, ["rev-parse", "--show-toplevel"])).trim();
    const current = (await git(dir, ["symbolic-ref", "--short", "HEAD"])).trim();
    if (current !== branch) throw new Error(`the repository is on branch ${current}, not ${branch}`);
    await git(dir, ["add", "--all", "--", "."]);
    const staged = await git(dir, ["diff", "--cached", "--name-only", "--", "."]);
    // A retry after a commit that was not pushed has nothing new to commit: it only pushes.
    if (staged.trim() !== "") {
      const who = ["-c", `user.name=${authorName}`, "-c", `user.email=${authorEmail}`];
      const message =
        what === "undone" ? `Undo decision ${decision.id}: ${decision.title}` : commitMessage(decision);
      await git(dir, [...who, "commit", "--quiet", "-m", message, "--", "."]);
    }
    if (remote) {
      try {
        await git(dir, ["push", "--quiet", remote, `HEAD:refs/heads/${branch}`]);
      } catch {
        // Someone else pushed first: replay our commit on top of theirs, once, then push again.
        await git(dir, [
          "-c",
          `user.name=${authorName}`,
          "-c",
          `user.email=${authorEmail}`,
          "pull",
          "--quiet",
          "--rebase",
          remote,
          branch,
        ]);
        await git(dir, ["push", "--quiet", remote, `HEAD:refs/heads/${branch}`]);
      }
    }
    // No brackets: chat shows the location inside "markdown (…)" already.
    return `${relative(top, join(dir, name)) || name}${remote ? ` on branch ${branch} of ${redactUrls(remote)}` : ""}`;
  }
}

/** Whether `dir` is in a git repository (a folder written before git was enabled may not be). */
async function insideRepository(dir: string): Promise<boolean> {
  return git(dir, ["rev-parse", "--show-toplevel"]).then(
    () => true,
    () => false,
  );
}

/** `0012-use-postgres-for-events.md`: the number, then a slug that cannot contain a path. */
export function fileName(number: number, title: string): string {
  return `${String(number).padStart(4, "0")}-${slugOf(title)}.md`;
}

/** Commit messages in the adr-tools spirit: what happened to which decision. */
export function commitMessage(d: DecisionRecord): string {
  const title = d.title.replace(/\s+/g, " ");
  if (d.status === "superseded") return `Mark decision ${d.id} superseded by ${d.supersededBy}: ${title}`;
  if (d.supersedes) return `Record decision ${d.id} (supersedes ${d.supersedes}): ${title}`;
  return `Record decision ${d.id}: ${title}`;
}

export function renderAdr(d: DecisionRecord, files: ReadonlyMap<number, string> = new Map()): string {
  const date = d.at.toISOString().slice(0, 10);
  const meta: Record<string, unknown> = {
    id: d.id,
    title: d.title,
    date,
    status: d.status,
    workspace: d.workspace,
    room: d.room.name,
    author: d.author.name,
    participants: d.participants.map((p) => p.name),
  };
  if (d.link) meta.link = d.link;
  if (d.supersedes) meta.supersedes = d.supersedes;
  if (d.supersededBy) meta.superseded_by = d.supersededBy;
  const ref = (id: string) => {
    const file = files.get(Number(id.slice(2)));
    return file ? `[${id}](${file})` : id;
  };
  const status = [
    d.status === "superseded" && d.supersededBy ? `Superseded by ${ref(d.supersededBy)}.` : "Accepted.",
  ];
  if (d.supersedes) status.push(`Supersedes ${ref(d.supersedes)}.`);
  const others = d.participants.filter((p) => p.id !== d.author.id).map((p) => escapeMarkdownInline(p.name));
  const context = [
    `Recorded by ${escapeMarkdownInline(d.author.name)} in #${escapeMarkdownInline(d.room.name)} on ${date}` +
      (others.length ? `, with ${others.join(", ")}.` : "."),
  ];
  if (d.link) context.push(`[The conversation](<${d.link.replace(/[<>\s]/g, encodeURIComponent)}>)`);
  return [
    frontMatter(meta),
    `# ${d.id}. ${escapeMarkdownInline(d.title)}`,
    "",
    `Date: ${date}`,
    "",
    "## Status",
    "",
    status.join(" "),
    "",
    "## Context",
    "",
    context.join("\n\n"),
    "",
    "## Decision",
    "",
    escapeMarkdown(d.text),
    "",
  ].join("\n");
}

interface DecisionFile {
  name: string;
  number: number;
  id: string;
  title: string;
  date: string;
  status: string;
  workspace?: string;
}

export function renderIndex(files: readonly DecisionFile[]): string {
  const rows = [...files]
    .sort((a, b) => a.number - b.number)
    .map((f) => `| [${f.id}](${f.name}) | ${escapeMarkdownInline(f.title)} | ${f.status} | ${f.date} |`);
  return [
    "# Decisions",
    "",
    "Recorded with Outloud's `/decision`. This file is regenerated; edits to it are overwritten.",
    "",
    "| Id | Title | Status | Date |",
    "| --- | --- | --- | --- |",
    ...rows,
    "",
  ].join("\n");
}

async function decisionFiles(dir: string): Promise<DecisionFile[]> {
  const out: DecisionFile[] = [];
  for (const name of await readdir(dir)) {
    const m = FILE.exec(name);
    if (!m) continue;
    const meta = readFrontMatter(await readFile(join(dir, name), "utf8"));
    out.push({
      name,
      number: Number(m[1]),
      id: String(meta.id ?? `D-${Number(m[1])}`),
      title: String(meta.title ?? name),
      date: String(meta.date ?? ""),
      status: String(meta.status ?? ""),
      workspace: meta.workspace === undefined ? undefined : String(meta.workspace),
    });
  }
  return out;
}

function readFrontMatter(text: string): Record<string, unknown> {
  const m = /^---\n([\s\S]*?)\n---\n/.exec(text);
  if (!m) return {};
  try {
    const parsed: unknown = parseYaml(m[1]!);
    return parsed && typeof parsed === "object" ? (parsed as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

// A reader (or git) never sees a half-written file.
async function writeAtomically(file: string, text: string): Promise<void> {
  const tmp = `${file}.${process.pid}.tmp`;
  await writeFile(tmp, text, "utf8");
  await rename(tmp, file);
}

async function git(cwd: string, args: string[]): Promise<string> {
  try {
    const { stdout } = await run("git", args, {
      cwd,
      env: { ...process.env, GIT_TERMINAL_PROMPT: "0" },
      timeout: 60_000,
    });
    return stdout;
  } catch (err) {
    const e = err as { stderr?: string; message?: string };
    const command = `git ${args.find((a) => !a.startsWith("-") && !a.includes("=")) ?? ""}`;
    const lockFile = /Unable to create '([^']+\.lock)': File exists/.exec(e.stderr ?? "")?.[1];
    if (lockFile) throw new GitLockedError(command, lockFile);
    const detail = (e.stderr || e.message || "").trim().split("\n").slice(-2).join(" ");
    throw new Error(redactUrls(`${command} failed: ${detail}`));
  }
}

/** git found a lock file of an earlier git command: one still running, or one that crashed. */
export class GitLockedError extends Error {
  constructor(
    command: string,
    readonly lockFile: string,
  ) {
    super(
      `${command} failed: ${lockFile} exists (another git command runs in that repository, or one crashed). ` +
        `If no git command is running there, delete ${lockFile}; the export is retried.`,
    );
  }
}
