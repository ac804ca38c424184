/** "Your nudges": your mutes and working hours as they stand, with buttons to change them. */
import type { CoreServices } from "../feature.js";
import type { SummaryProvider } from "../summaries.js";
import { describeMute } from "./commands.js";
import type { NudgeStore } from "./store.js";
import { formatHours, type WorkingHours } from "./working-hours.js";

export function nudgesSummary(
  store: NudgeStore,
  defaultHours: WorkingHours,
  services: Pick<CoreServices, "clock" | "commands">,
  zoneOf: (workspace: string, user: string) => Promise<string>,
): SummaryProvider {
  return async ({ workspace, user }) => {
    const mutes = await store.mutes(workspace, user, services.clock.now());
    // A mute's end is shown in the person's own zone, as the mute command's reply shows it.
    const tz = mutes.some((m) => m.until) ? await zoneOf(workspace, user) : undefined;
    const own = await store.hours(workspace, user);
    const hours = `${formatHours(own ?? defaultHours)}${own ? "" : " (the workspace's)"}`;
    const change = services.commands.spell("outloud hours 09:00-17:00 mon-fri");
    return {
      title: "Your nudges",
      lines: [
        "Outloud sends you a private hint now and then.",
        mutes.length
          ? `Muted: ${mutes.map((m) => describeMute(m, tz)).join("; ")}.`
          : "They are on: mute them here for a while.",
        `Your working hours, in your time zone: ${hours}. Change them with \`${change}\`.`,
      ],
      buttons: [
        { label: "Mute for a day", command: "outloud mute all for 1d" },
        { label: "Mute for a week", command: "outloud mute all for 7d" },
        { label: "Unmute", command: "outloud unmute" },
      ],
    };
  };
}
