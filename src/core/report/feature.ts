/**
 * `outloud report`: a room admin asks for the room's live communication-health report and gets a
 * private link to it (on Matrix, in their DM with the bot). The link is signed, expires and opens
 * that one room's report; who may ask is the platform's call (Directory.isRoomAdmin).
 */
import { command, noArgs } from "../commands/command.js";
import type { CoreServices, Feature } from "../feature.js";
import type { Room } from "../model.js";

export interface ReportFeatureDeps {
  services: CoreServices;
  /** Signs a link to one room's live report; absent when the bot has no secret or public address for it. */
  reportLink?(workspace: string, room: Room, now: Date): string;
}

export function createReportFeature(deps: ReportFeatureDeps): Feature {
  const { directory } = deps.services;
  return {
    name: "report",
    commands: [
      command({
        path: ["outloud", "report"],
        usage: "",
        summary: "for room admins: a private link to this room's communication-health report",
        parse: noArgs,
        run: async (ctx) => {
          const { workspace, room, user, at } = ctx.invocation;
          // Slack admins sign in with Slack at /report; only platforms that know room admins hand out links.
          if (!directory.isRoomAdmin) return { kind: "private", text: "This command is not available here." };
          if (!deps.reportLink)
            return {
              kind: "private",
              text: "The live report is switched off on this bot (it needs REPORT_SECRET and OUTLOUD_PUBLIC_URL).",
            };
          if (room.kind === "dm" || room.kind === "group-dm")
            return { kind: "private", text: "Ask in the team's room: the link opens that room's report." };
          if (!(await directory.isRoomAdmin(workspace, room, user)))
            return { kind: "private", text: "Only this room's admins can open its report." };
          const link = deps.reportLink(workspace, room, at);
          return {
            kind: "private",
            text: `This room's communication health over the last 4 weeks: ${link}\nThe link is yours alone and works for 24 hours.`,
          };
        },
      }),
    ],
  };
}
