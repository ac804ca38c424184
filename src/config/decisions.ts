/**
 * The `decisions:` section of config/outloud.yaml: the feature's own settings (core) plus where its
 * decisions are exported (the exporters' settings, under `export:`).
 */
import { decisionSettings } from "../core/decisions/settings.js";
import { exportSettings } from "../exporters/index.js";

export const decisionsConfig = decisionSettings
  .extend({ export: exportSettings.prefault({}) })
  .describe(
    "Decisions: /decision records them, and they are exported to where the team keeps its documentation.",
  );
