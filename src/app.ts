/**
 * The composition root of the core: builds one Engine for one platform from the config, the database
 * and the platform's ports. main.ts, the replay CLI, the playground and the tests all come through here,
 * so every mode runs the same features on the same storage.
 */
import type { Config } from "./config/load.js";
import { createDecisionsFeature } from "./core/decisions/feature.js";
import { Engine } from "./core/engine.js";
import type { CoreServices, Feature } from "./core/feature.js";
import type { Logger } from "./core/logger.js";
import { createNudgesFeature } from "./core/nudges/feature.js";
import { createRotaFeature } from "./core/rota/feature.js";
import { createExporters } from "./exporters/index.js";
import type { DatabaseHandle } from "./storage/database.js";
import { SqlDecisionStore } from "./storage/decision-store.js";
import { SqlClaimStore } from "./storage/foundation-stores.js";
import { SqlNudgeStore } from "./storage/nudge-store.js";
import { SqlRotaStore } from "./storage/rota-store.js";

/** What every platform shares: configuration, database and logs. */
export interface AppContext {
  config: Config;
  db: DatabaseHandle;
  log: Logger;
}

/** The services every feature gets, less the log (shared by the whole app); the runtime builds them. */
export type PlatformServices = Omit<CoreServices, "log">;

export function createEngine(app: AppContext, platform: PlatformServices): Engine {
  const services: CoreServices = { ...platform, log: app.log };
  const db = app.db.db;
  const claims = new SqlClaimStore(db);
  const { settings, env, dataDir } = app.config;
  const features: Feature[] = [
    createNudgesFeature({
      services,
      store: new SqlNudgeStore(db),
      claims,
      settings: settings.nudges,
      workspace: settings.workspace,
      retentionDays: settings.privacy.retentionDays,
    }),
    createRotaFeature({
      services,
      store: new SqlRotaStore(db),
      claims,
      settings: settings.rota,
      workingHours: settings.workspace.workingHours,
    }),
    createDecisionsFeature({
      services,
      store: new SqlDecisionStore(db),
      claims,
      settings: settings.decisions,
      exporters: createExporters(settings.decisions.export, env, dataDir, () => platform.clock.now()),
    }),
  ];
  return new Engine({ services, features });
}
