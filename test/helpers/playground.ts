/**
 * Runs the terminal playground in-process on piped input, the way `npm start` does with no
 * credentials, and returns its transcript. The data folder can be kept between sessions.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { runPlayground } from "../../src/adapters/local/playground.js";
import { silentLogger } from "../../src/logging.js";
import { openDatabase } from "../../src/storage/database.js";
import { scenarioConfig } from "./scenario.js";

export async function playgroundSession(
  dataDir: string,
  lines: string[],
  options: { start?: Date } = {},
): Promise<string> {
  const config = scenarioConfig({}, { OUTLOUD_DATA_DIR: dataDir });
  const db = await openDatabase({ url: config.databaseUrl });
  const input = new PassThrough();
  const output = new PassThrough();
  let transcript = "";
  output.on("data", (chunk) => {
    transcript += chunk;
  });
  input.end(`${lines.join("\n")}\n`);
  try {
    await runPlayground({
      app: { config, db, log: silentLogger },
      input,
      output,
      interactive: false,
      start: options.start,
      statePath: join(dataDir, "playground.json"),
    });
  } finally {
    await db.close();
  }
  return transcript;
}

/**
 * What a reader of a Markdown file types into the playground: the first fenced block after `marker`,
 * either a transcript (the lines after a prompt such as `alice in #general> `) or, when it shows no
 * prompt, every line of it.
 */
export function typedLines(markdownFile: string, marker: string): string[] {
  const text = readFileSync(markdownFile, "utf8");
  const at = text.indexOf(marker);
  if (at < 0) throw new Error(`${markdownFile} has no "${marker}"`);
  const open = text.indexOf("```\n", at) + 4;
  const block = text.slice(open, text.indexOf("```", open));
  const prompted = [...block.matchAll(/^\S+ in \S+(?: \(thread \S+\))?> (.*)$/gm)].map((m) => m[1]!);
  return prompted.length > 0 ? prompted : block.split("\n").filter((l) => l.trim() !== "");
}
