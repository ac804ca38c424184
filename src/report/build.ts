/**
 * Builds the health report from scenario lines: each line is observed by the HealthCollector and
 * replayed through the real engine (the replay platform, as `npm run eval` does), so "what Outloud's
 * nudges would have said" comes from the same detectors that run live. The replay writes nothing
 * anywhere: its database is in memory and every decision export target is switched off.
 */
import { LocalPlatform } from "../adapters/local/local-platform.js";
import { LOCAL_WORKSPACE } from "../adapters/local/rooms.js";
import type { ScenarioLine } from "../adapters/local/scenario.js";
import type { Config } from "../config/load.js";
import type { Logger } from "../core/logger.js";
import { workspaceHours } from "../core/nudges/working-hours.js";
import { openDatabase } from "../storage/database.js";
import { SqlDecisionStore } from "../storage/decision-store.js";
import { HealthCollector, type HealthReport } from "./health.js";

export async function buildHealthReport(
  lines: AsyncIterable<ScenarioLine> | Iterable<ScenarioLine>,
  config: Config,
  log: Logger,
): Promise<HealthReport> {
  const { workspace } = config.settings;
  const collector = new HealthCollector(workspaceHours(workspace.workingHours), workspace.timezone);
  const db = await openDatabase({ url: ":memory:" });
  const platform = new LocalPlatform({
    app: { config: withoutExports(config), db, log },
    onAction: (output) => collector.said(output),
  });
  try {
    for await (const line of lines) {
      collector.observe(line);
      await platform.apply(line);
    }
    await platform.stop();
    const decisions = await new SqlDecisionStore(db.db).list(LOCAL_WORKSPACE, { limit: 1_000_000 });
    for (const d of decisions) collector.decisionRecorded(d.at);
  } finally {
    await db.close();
  }
  return collector.finish();
}

/** The config with every decision export target disabled: a report only looks. */
function withoutExports(config: Config): Config {
  const targets = Object.fromEntries(
    Object.entries(config.settings.decisions.export).map(([name, target]) => [
      name,
      { ...target, enabled: false },
    ]),
  ) as typeof config.settings.decisions.export;
  return {
    ...config,
    settings: { ...config.settings, decisions: { ...config.settings.decisions, export: targets } },
  };
}
