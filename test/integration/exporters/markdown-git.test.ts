import { execFileSync, spawn } from "node:child_process";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  realpathSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import { MarkdownGitExporter, markdownSettings } from "../../../src/exporters/markdown-git.js";
import { INJECTIONS, mkDecisionRecord } from "./fixtures.js";

let tmp: string;
beforeEach(() => {
  tmp = mkdtempSync(join(tmpdir(), "outloud-md-"));
});
afterEach(() => rmSync(tmp, { recursive: true, force: true }));

const git = (cwd: string, ...args: string[]) => execFileSync("git", args, { cwd, encoding: "utf8" });

function frontMatterOf(text: string): Record<string, unknown> {
  const m = /^---\n([\s\S]*?)\n---\n/.exec(text);
  if (!m) throw new Error("no front matter");
  return parseYaml(m[1]!) as Record<string, unknown>;
}

describe("Markdown exporter", () => {
  it("writes an ADR file with front matter, sections and an index under <data dir>/decisions/<workspace> by default", async () => {
    const exporter = new MarkdownGitExporter(markdownSettings.parse({}), tmp);
    const receipt = await exporter.export(mkDecisionRecord());
    const dir = join(tmp, "decisions", "t1");
    expect(readdirSync(dir).sort()).toEqual(["0012-use-postgresql-for-events.md", "README.md"]);
    expect(receipt).toEqual({
      ref: "0012-use-postgresql-for-events.md",
      location: "decisions/t1/0012-use-postgresql-for-events.md",
    });
    const text = readFileSync(join(dir, receipt.ref), "utf8");
    expect(frontMatterOf(text)).toEqual({
      id: "D-12",
      title: "Use PostgreSQL for events",
      date: "2026-11-25",
      status: "accepted",
      workspace: "T1",
      room: "team",
      author: "Alice",
      participants: ["Alice", "Bob"],
      link: "https://example.slack.com/archives/C1/p1700000000000100",
    });
    expect(text).toContain("# D-12. Use PostgreSQL for events");
    expect(text).toMatch(/## Context\n\nRecorded by Alice in #team on 2026-11-25, with Bob\./);
    expect(text).toContain(
      "## Decision\n\nUse PostgreSQL for events. SQLite stays for the playground and the replay.",
    );
    expect(readFileSync(join(dir, "README.md"), "utf8")).toContain(
      "| [D-12](0012-use-postgresql-for-events.md) | Use PostgreSQL for events | accepted | 2026-11-25 |",
    );
  });

  it("updates the same file on a re-export, and links superseding decisions both ways", async () => {
    const exporter = new MarkdownGitExporter(markdownSettings.parse({}), tmp);
    await exporter.export(mkDecisionRecord());
    await exporter.export(mkDecisionRecord());
    await exporter.export(
      mkDecisionRecord({
        id: "D-13",
        number: 13,
        title: "Use Kafka",
        text: "Use Kafka.",
        supersedes: "D-12",
      }),
    );
    await exporter.export(mkDecisionRecord({ status: "superseded", supersededBy: "D-13" }));
    const dir = join(tmp, "decisions", "t1");
    expect(readdirSync(dir).sort()).toEqual([
      "0012-use-postgresql-for-events.md",
      "0013-use-kafka.md",
      "README.md",
    ]);
    const old = readFileSync(join(dir, "0012-use-postgresql-for-events.md"), "utf8");
    expect(frontMatterOf(old)).toMatchObject({ status: "superseded", superseded_by: "D-13" });
    expect(old).toContain("## Status\n\nSuperseded by [D-13](0013-use-kafka.md).");
    expect(readFileSync(join(dir, "0013-use-kafka.md"), "utf8")).toContain(
      "Supersedes [D-12](0012-use-postgresql-for-events.md).",
    );
    const index = readFileSync(join(dir, "README.md"), "utf8");
    expect(index).toContain("| superseded |");
    expect(index.indexOf("D-12")).toBeLessThan(index.indexOf("D-13"));
  });

  it("puts each workspace in its own folder with {workspace}, and refuses to overwrite another workspace's file", async () => {
    const perWorkspace = new MarkdownGitExporter(
      markdownSettings.parse({ directory: join(tmp, "adr", "{workspace}") }),
      tmp,
    );
    await perWorkspace.export(mkDecisionRecord());
    await perWorkspace.export(mkDecisionRecord({ workspace: "T2" }));
    expect(readdirSync(join(tmp, "adr")).sort()).toEqual(["t1", "t2"]);
    const shared = new MarkdownGitExporter(markdownSettings.parse({ directory: join(tmp, "shared") }), tmp);
    await shared.export(mkDecisionRecord());
    // The error reaches T2's people: it names neither T1 nor T1's file (whose name is its title).
    const refused = await shared.export(mkDecisionRecord({ workspace: "T2" })).catch((e: Error) => e);
    expect((refused as Error).message).toMatch(/belongs to another workspace: put \{workspace\}/);
    expect((refused as Error).message).not.toMatch(/T1|postgresql/i);
  });

  it("keeps injection attempts inert: no extra front matter, no markup, no path", async () => {
    const exporter = new MarkdownGitExporter(markdownSettings.parse({}), tmp);
    const evil = mkDecisionRecord({
      title: INJECTIONS.path,
      text: `${INJECTIONS.frontMatter}\n\n${INJECTIONS.markup}`,
      author: { id: "U1", name: "Eve\n---\nstatus: rejected" },
      room: { id: "C1", name: "team](javascript:alert(1))" },
    });
    const receipt = await exporter.export(evil);
    const dir = join(tmp, "decisions", "t1");
    expect(receipt.ref).toBe("0012-etc-passwd.md");
    expect(readdirSync(dir).sort()).toEqual(["0012-etc-passwd.md", "README.md"]);
    const text = readFileSync(join(dir, receipt.ref), "utf8");
    const meta = frontMatterOf(text);
    expect(meta.status).toBe("accepted");
    expect(meta.id).toBe("D-12");
    expect(meta.author).toBe("Eve\n---\nstatus: rejected");
    // Exactly two front-matter fences at the start; the text's own `---` is escaped.
    expect(text.split("\n").filter((l) => l === "---")).toHaveLength(2);
    const body = text.slice(text.indexOf("\n---\n") + 5);
    expect(body).not.toMatch(/^# Owned/m);
    expect(body).not.toMatch(/^---$/m);
    expect(body).not.toContain("<script>");
    expect(body).not.toContain("](javascript:");
    expect(body).toContain("\\<script\\>");
    expect(body).toContain("# D-12. ../../../etc/passwd");
  });
});

describe("Markdown exporter with git", () => {
  function bareRemote(): string {
    const remote = join(tmp, "remote.git");
    git(tmp, "init", "--quiet", "--bare", "--initial-branch=main", remote);
    return remote;
  }

  it("commits each decision with a clear message and pushes to the remote", async () => {
    const remote = bareRemote();
    const dir = join(tmp, "repo");
    const exporter = new MarkdownGitExporter(
      markdownSettings.parse({ directory: dir, git: { enabled: true, remote, branch: "main" } }),
      tmp,
    );
    const receipt = await exporter.export(mkDecisionRecord());
    expect(receipt.location).toBe(`0012-use-postgresql-for-events.md on branch main of ${remote}`);
    await exporter.export(
      mkDecisionRecord({
        id: "D-13",
        number: 13,
        title: "Use Kafka",
        text: "Use Kafka.",
        supersedes: "D-12",
      }),
    );
    await exporter.export(mkDecisionRecord({ status: "superseded", supersededBy: "D-13" }));
    const log = git(remote, "log", "--format=%an <%ae>|%s", "main").trim().split("\n");
    expect(log).toEqual([
      "Outloud <outloud@localhost>|Mark decision D-12 superseded by D-13: Use PostgreSQL for events",
      "Outloud <outloud@localhost>|Record decision D-13 (supersedes D-12): Use Kafka",
      "Outloud <outloud@localhost>|Record decision D-12: Use PostgreSQL for events",
    ]);
    const files = git(remote, "ls-tree", "--name-only", "main").trim().split("\n");
    expect(files).toEqual(["0012-use-postgresql-for-events.md", "0013-use-kafka.md", "README.md"]);
  });

  it("takes an undone decision out of the folder and the index in a commit of its own", async () => {
    const remote = bareRemote();
    const exporter = new MarkdownGitExporter(
      markdownSettings.parse({
        directory: join(tmp, "repo"),
        git: { enabled: true, remote, branch: "main" },
      }),
      tmp,
    );
    await exporter.export(mkDecisionRecord());
    await exporter.withdraw(mkDecisionRecord());
    expect(git(remote, "log", "-1", "--format=%s", "main").trim()).toBe(
      "Undo decision D-12: Use PostgreSQL for events",
    );
    expect(git(remote, "ls-tree", "--name-only", "main").trim()).toBe("README.md");
    expect(git(remote, "show", "main:README.md")).not.toContain("D-12");
  });

  it("makes no second commit on a retry, and pushes a commit that was left unpushed", async () => {
    const remote = bareRemote();
    const dir = join(tmp, "repo");
    const settings = { directory: dir, git: { enabled: true, remote: join(tmp, "not-there-yet.git") } };
    const failing = new MarkdownGitExporter(markdownSettings.parse(settings), tmp);
    await expect(failing.export(mkDecisionRecord())).rejects.toThrow(/git (push|pull) failed/);
    const retry = new MarkdownGitExporter(
      markdownSettings.parse({ ...settings, git: { enabled: true, remote } }),
      tmp,
    );
    await retry.export(mkDecisionRecord());
    await retry.export(mkDecisionRecord());
    expect(git(remote, "rev-list", "--count", "main").trim()).toBe("1");
  });

  it("rebases on a remote that moved, then pushes", async () => {
    const remote = bareRemote();
    const other = join(tmp, "other");
    git(tmp, "clone", "--quiet", remote, other);
    git(
      other,
      "-c",
      "user.name=Bob",
      "-c",
      "user.email=bob@example.org",
      "commit",
      "--quiet",
      "--allow-empty",
      "-m",
      "Bob's work",
    );
    git(other, "push", "--quiet", "origin", "HEAD:main");
    const dir = join(tmp, "repo");
    git(tmp, "clone", "--quiet", remote, dir);
    git(
      other,
      "-c",
      "user.name=Bob",
      "-c",
      "user.email=bob@example.org",
      "commit",
      "--quiet",
      "--allow-empty",
      "-m",
      "More of Bob's work",
    );
    git(other, "push", "--quiet", "origin", "HEAD:main");
    const exporter = new MarkdownGitExporter(
      markdownSettings.parse({ directory: dir, git: { enabled: true, remote: "origin" } }),
      tmp,
    );
    await exporter.export(mkDecisionRecord());
    expect(git(remote, "log", "--format=%s", "main").trim().split("\n")).toEqual([
      "Record decision D-12: Use PostgreSQL for events",
      "More of Bob's work",
      "Bob's work",
    ]);
  });

  it("never shows a token from the remote URL in an error", async () => {
    const dir = join(tmp, "repo");
    const exporter = new MarkdownGitExporter(
      markdownSettings.parse({
        directory: dir,
        git: { enabled: true, remote: "https://user:s3cret-token@127.0.0.1:1/x.git" },
      }),
      tmp,
    );
    const error = await exporter.export(mkDecisionRecord()).catch((e: Error) => e);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).not.toContain("s3cret-token");
  });

  it("recovers from the lock a git commit killed mid-way left behind, and commits the next export", async () => {
    const dir = join(tmp, "repo");
    const exporter = new MarkdownGitExporter(
      markdownSettings.parse({ directory: dir, git: { enabled: true } }),
      tmp,
    );
    await exporter.export(mkDecisionRecord());
    // A commit that waits in its editor holds .git/index.lock; SIGKILL leaves the lock behind, as a
    // crash of the bot in the middle of its own commit does.
    writeFileSync(join(dir, "README.md"), "a half-made change to a tracked file");
    const commit = spawn("git", ["commit", "--quiet", "--all"], {
      cwd: dir,
      env: { ...process.env, GIT_EDITOR: "sleep 60; true", GIT_AUTHOR_NAME: "x", GIT_COMMITTER_NAME: "x" },
      stdio: "ignore",
      // Its own process group, so the kill takes its editor along.
      detached: true,
    });
    const lock = join(dir, ".git", "index.lock");
    for (let waited = 0; !existsSync(lock); waited += 20) {
      if (waited > 10_000) throw new Error("git commit never took its lock");
      await new Promise((r) => setTimeout(r, 20));
    }
    process.kill(-commit.pid!, "SIGKILL");
    await new Promise((r) => commit.once("exit", r));
    expect(existsSync(lock)).toBe(true);

    await exporter.export(
      mkDecisionRecord({ id: "D-13", number: 13, title: "Use Kafka", text: "Use Kafka." }),
    );
    expect(git(dir, "log", "--format=%s", "-1").trim()).toBe("Record decision D-13: Use Kafka");
    expect(git(dir, "status", "--porcelain").trim()).toBe("");
  });

  it("names the lock file and the fix when the lock may belong to someone else's git", async () => {
    // The decisions live in a sub-folder of a repository people work in: their git may hold the lock.
    const repo = join(tmp, "docs");
    const dir = join(repo, "decisions");
    mkdirSync(dir, { recursive: true });
    git(repo, "init", "--quiet", "--initial-branch=main");
    writeFileSync(join(repo, ".git", "index.lock"), "");
    const exporter = new MarkdownGitExporter(
      markdownSettings.parse({ directory: dir, git: { enabled: true } }),
      tmp,
    );
    const error = await exporter.export(mkDecisionRecord()).catch((e: Error) => e);
    const lock = join(realpathSync(repo), ".git", "index.lock");
    expect((error as Error).message).toContain(`${lock} exists`);
    expect((error as Error).message).toContain(`If no git command is running there, delete ${lock}`);
    expect(existsSync(lock)).toBe(true);
  });
});
