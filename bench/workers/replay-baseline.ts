/**
 * Baseline of the engine benchmark: the least any bot must do with the same corpus. It reads the file
 * through the same streaming reader as the replay (gunzip + readline), parses each line as JSON and
 * inserts one row per message into a SQLite file opened with the same durability settings as ours
 * (openSqlite: WAL, synchronous=NORMAL). Each insert is its own transaction, as each event handled by
 * the engine is: a live bot cannot batch messages it has not received yet.
 *
 *   replay-baseline.ts --corpus FILE --db FILE [--limit N]
 */
import { readScenarioFile } from "../../src/adapters/local/replay.js";
import { openSqlite } from "../../src/storage/database.js";
import { finish, option, progressReporter } from "./ipc.js";

async function main(): Promise<void> {
  const corpus = option("corpus")!;
  const dbFile = option("db")!;
  const limit = Number(option("limit", "0"));

  const sqlite = openSqlite(dbFile);
  sqlite.exec(`CREATE TABLE IF NOT EXISTS message (
    id TEXT PRIMARY KEY, at TEXT NOT NULL, room TEXT NOT NULL, user TEXT NOT NULL, text TEXT NOT NULL)`);
  const insert = sqlite.prepare("INSERT INTO message (id, at, room, user, text) VALUES (?, ?, ?, ?, ?)");
  const progress = progressReporter(limit > 0 ? limit : undefined);

  const started = performance.now();
  const cpuStart = process.cpuUsage();
  let messages = 0;
  for await (const line of readScenarioFile(corpus)) {
    if (limit > 0 && messages >= limit) break;
    if (line.trim() === "") continue;
    const m = JSON.parse(line) as { id: string; at: string; room: string; user: string; text: string };
    insert.run(m.id, m.at, m.room, m.user, m.text);
    messages++;
    progress(messages);
  }
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuStart);
  sqlite.close();
  await finish({
    messages,
    seconds,
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
    maxRssBytes: process.resourceUsage().maxRSS * 1024,
  });
}

main().catch((err) => {
  process.stderr.write(`replay-baseline: ${err instanceof Error ? err.stack : err}\n`);
  process.exit(1);
});
