/**
 * The composition root of the core: builds one Engine for one platform from the config, the database
 * and the platform's ports. main.ts, the replay CLI, the playground and the tests all come through here,
 * so every mode runs the same features on the same storage.
 */
import type { Config } from "./config/load.js";
import { Engine } from "./core/engine.js";
import type { CoreServices, Feature } from "./core/feature.js";
import type { ActionSink, Clock, Directory } from "./core/ports.js";
import type { Logger, Scheduler } from "./core/scheduler.js";
import type { DatabaseHandle } from "./storage/database.js";
import { SqlClaimStore, SqlSettingsStore } from "./storage/foundation-stores.js";
import { createNudgesFeature } from "./core/nudges/feature.js";
import { SqlNudgeStore } from "./storage/nudge-store.js";
import { createRotaFeature } from "./core/rota/feature.js";
import { SqlRotaStore } from "./storage/rota-store.js";
import { createDecisionsFeature } from "./core/decisions/feature.js";
import { createExporters } from "./exporters/index.js";
import { SqlDecisionStore } from "./storage/decision-store.js";

/** What every platform shares: configuration, database and logs. */
export interface AppContext {
  config: Config;
  db: DatabaseHandle;
  log: Logger;
}

/** What differs per platform: its clock and timers, who is who, and how actions are carried out. */
export interface PlatformBinding {
  clock: Clock;
  scheduler: Scheduler;
  directory: Directory;
  sink: ActionSink;
}

export function createEngine(app: AppContext, platform: PlatformBinding): Engine {
  const services: CoreServices = {
    clock: platform.clock,
    scheduler: platform.scheduler,
    directory: platform.directory,
    emit: (action) => platform.sink.deliver(action),
    log: app.log,
  };
  const db = app.db.db;
  const stores = {
    claims: new SqlClaimStore(db),
    settings: new SqlSettingsStore(db),
  };
  const settings = app.config.settings;
  // One line per feature; each takes the services, the stores it needs and its settings section.
  const features: Feature[] = [];
  features.push(createNudgesFeature({ services, store: new SqlNudgeStore(db), claims: stores.claims, settings: settings.nudges, workspace: settings.workspace, retentionDays: settings.privacy.retentionDays, matrixPrefix: settings.commands.matrixPrefix }));
  features.push(createRotaFeature({ services, store: new SqlRotaStore(db), claims: stores.claims, settings: settings.rota, workingHours: settings.workspace.workingHours }));
  features.push(createDecisionsFeature({ services, store: new SqlDecisionStore(db), claims: stores.claims, settings: settings.decisions, exporters: createExporters(settings.decisions.export, app.config.env, app.config.dataDir, () => platform.clock.now()) }));
  void stores;
  void settings;
  return new Engine({ services, features });
}
