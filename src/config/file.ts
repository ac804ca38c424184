/**
 * Behaviour settings from config/*.yaml. Every key has a default and a `.describe()` text, from which
 * config/outloud.example.yaml is generated (`npm run config:reference`); features add their own section
 * (one line each) below.
 */
import { z } from "zod";
import { matrixSettings } from "../adapters/matrix/settings.js";
import { nudgesSettings } from "../core/nudges/settings.js";
import { rotaSettings } from "../core/rota/settings.js";
import { decisionsConfig } from "./decisions.js";
import { clockTime, weekdayList } from "./values.js";

const workspaceSettings = z
  .strictObject({
    timezone: z
      .string()
      .default("UTC")
      .describe("Time zone (IANA name) for people whose platform does not tell us theirs."),
    workingHours: z
      .strictObject({
        start: clockTime.default("09:00").describe("Start of the working day, HH:MM local time."),
        end: clockTime.default("18:00").describe("End of the working day, HH:MM local time."),
        days: weekdayList.default("mon-fri").describe("Working days, e.g. mon-fri or mon,tue,thu."),
      })
      .prefault({})
      .describe("Default working hours; each person can set their own with /outloud hours."),
  })
  .prefault({})
  .describe("Defaults for the whole workspace.");

const commandSettings = z
  .strictObject({
    matrixPrefix: z
      .string()
      .min(1)
      .max(3)
      .default("!")
      .describe("What starts a command in a Matrix message, as in !rota who."),
  })
  .prefault({})
  .describe("How commands are typed.");

const privacySettings = z
  .strictObject({
    retentionDays: z
      .number()
      .int()
      .min(1)
      .max(365)
      .default(30)
      .describe("Days after which the ids, counts and times kept for the nudge rules are deleted."),
  })
  .prefault({})
  .describe("What the bot keeps, and for how long.");

export const fileConfigSchema = z.strictObject({
  workspace: workspaceSettings,
  commands: commandSettings,
  privacy: privacySettings,
  nudges: nudgesSettings.prefault({}),
  rota: rotaSettings.prefault({}),
  decisions: decisionsConfig.prefault({}),
  matrix: matrixSettings.prefault({}),
  // Feature sections are added here, one line each: `rota: rotaSettings.prefault({}),`
});

export type FileConfig = z.infer<typeof fileConfigSchema>;
