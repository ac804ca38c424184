/**
 * Behaviour settings from config/*.yaml. Every key has a default, documented in
 * config/outloud.example.yaml; features add their own section (one line each) below.
 */
import { z } from "zod";
import { matrixSettings } from "../adapters/matrix/settings.js";
import { nudgesSettings } from "../core/nudges/settings.js";
import { rotaSettings } from "../core/rota/settings.js";
import { decisionsConfig } from "../exporters/index.js";
import { clockTime, weekdayList } from "./values.js";

const workspaceSettings = z
  .strictObject({
    /** Time zone for people whose platform does not tell us theirs. */
    timezone: z.string().default("UTC"),
    /** Default working hours, per person overridable with `/outloud hours`. */
    workingHours: z
      .strictObject({
        start: clockTime.default("09:00"),
        end: clockTime.default("18:00"),
        days: weekdayList.default("mon-fri"),
      })
      .prefault({}),
  })
  .prefault({});

const commandSettings = z
  .strictObject({
    /** What starts a command in a Matrix message: `!rota who`. */
    matrixPrefix: z.string().min(1).max(3).default("!"),
  })
  .prefault({});

const privacySettings = z
  .strictObject({
    /** Days after which ids, counts and times kept for the rules are deleted. */
    retentionDays: z.number().int().min(1).max(365).default(30),
  })
  .prefault({});

export const fileConfigSchema = z.strictObject({
  workspace: workspaceSettings,
  commands: commandSettings,
  privacy: privacySettings,
  rota: rotaSettings.prefault({}),
  decisions: decisionsConfig.prefault({}),
  matrix: matrixSettings.prefault({}),
  nudges: nudgesSettings.prefault({}),
  // Feature sections are added here, one line each: `rota: rotaSettings.prefault({}),`
});

export type FileConfig = z.infer<typeof fileConfigSchema>;
