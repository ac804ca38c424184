/**
 * The composition root of the core: builds one Engine for one platform from the config, the database
 * and the platform's ports. main.ts, the replay CLI, the playground and the tests all come through here,
 * so every mode runs the same features on the same storage.
 */
import type { Config } from "./config/load.js";
import type { Action } from "./core/actions.js";
import { createDecisionsFeature } from "./core/decisions/feature.js";
import { createDigestFeature } from "./core/digest/feature.js";
import { Engine } from "./core/engine.js";
import { errorMessage } from "./core/error-message.js";
import type { CoreServices, Feature, ReservedAction } from "./core/feature.js";
import type { Logger } from "./core/logger.js";
import { createNudgesFeature } from "./core/nudges/feature.js";
import { createReportFeature } from "./core/report/feature.js";
import { createRotaFeature } from "./core/rota/feature.js";
import { plainMailer } from "./exporters/email.js";
import { createExporters } from "./exporters/index.js";
import { reportLinks } from "./report/report-link.js";
import type { DatabaseHandle } from "./storage/database.js";
import { SqlDecisionStore } from "./storage/decision-store.js";
import { SqlDigestStore } from "./storage/digest-store.js";
import { SqlClaimStore, SqlSettingsStore } from "./storage/foundation-stores.js";
import { SqlNudgeStore } from "./storage/nudge-store.js";
import { SqlRotaStore } from "./storage/rota-store.js";

/** What every platform shares: configuration, database and logs. */
export interface AppContext {
  config: Config;
  db: DatabaseHandle;
  log: Logger;
}

/** The services every feature gets, less the log and the transactions (the whole app's); the runtime builds them. */
export type PlatformServices = Omit<CoreServices, "log" | "atomically" | "reserve" | "afterCommit"> &
  Partial<Pick<CoreServices, "reserve" | "afterCommit">>;

export function createEngine(app: AppContext, platform: PlatformServices): Engine {
  const services: CoreServices = {
    ...platform,
    log: app.log,
    atomically: (work) => app.db.atomically(work),
    reserve: platform.reserve ?? (async (action) => reservedInMemory(app, platform.emit, action)),
    afterCommit: platform.afterCommit ?? afterCommitted(app),
  };
  const db = app.db.db;
  const claims = new SqlClaimStore(db);
  const decisions = new SqlDecisionStore(db);
  const rota = new SqlRotaStore(db, { externalChanges: app.db.externalChanges });
  const nudges = new SqlNudgeStore(db);
  const { settings, env, dataDir } = app.config;
  const features: Feature[] = [
    createNudgesFeature({
      services,
      store: nudges,
      claims,
      settings: settings.nudges,
      workspace: settings.workspace,
      retentionDays: settings.privacy.retentionDays,
    }),
    createRotaFeature({
      services,
      store: rota,
      claims,
      notes: new SqlSettingsStore(db),
      settings: settings.rota,
      workingHours: settings.workspace.workingHours,
    }),
    createDecisionsFeature({
      services,
      store: decisions,
      claims,
      settings: settings.decisions,
      exporters: createExporters(settings.decisions.export, env, dataDir, () => platform.clock.now()),
    }),
  ];
  if (settings.digest.enabled)
    features.push(
      createDigestFeature({
        services,
        store: new SqlDigestStore(db, {
          onWriteError: (err, messages) =>
            app.log.error("message facts for the digests not saved", { messages, error: errorMessage(err) }),
        }),
        claims,
        decisions,
        rota,
        settings: settings.digest,
        workspace: settings.workspace,
        retentionDays: settings.privacy.retentionDays,
        personalHours: (workspace, user) => nudges.hours(workspace, user),
        mail: env.SMTP_URL ? plainMailer(env.SMTP_URL, settings.decisions.export.email.from) : undefined,
      }),
    );
  const links = reportLinks(env);
  features.push(
    createReportFeature({
      services,
      reportLink: links && ((workspace, room, now) => links.link(workspace, room.id, now)),
    }),
  );
  return new Engine({ services, features });
}

/**
 * CoreServices.afterCommit over the app's database: deferred inside a transaction, where `track` lets
 * a stop wait for it (the runtime's in-flight work); run now outside one.
 */
export function afterCommitted(
  app: AppContext,
  track: (work: Promise<void>) => unknown = () => undefined,
): CoreServices["afterCommit"] {
  return async (work) => {
    const deferred = app.db.afterCommit(() => {
      track(work().catch((err) => app.log.error("work after commit failed", { error: errorMessage(err) })));
    });
    if (!deferred) await work();
  };
}

/**
 * A reservation where nothing is saved (no durable outbox: the replay, tests): the action waits in
 * memory and is emitted when sent, after the commit of an enclosing transaction.
 */
function reservedInMemory(app: AppContext, emit: CoreServices["emit"], action: Action): ReservedAction {
  return {
    send: async (text) => {
      const final = text === undefined ? action : { ...action, text };
      const deferred = app.db.afterCommit(() => {
        emit(final).catch((err) => app.log.warn("reserved action not sent", { error: errorMessage(err) }));
      });
      if (!deferred) await emit(final);
    },
  };
}
