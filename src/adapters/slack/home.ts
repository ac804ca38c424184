/**
 * The App Home tab: what Outloud knows that concerns you, rendered from the stores (your rotas and
 * your next duty, recent decisions in your rooms, your nudge settings with buttons), plus the command
 * help. Each section comes from a provider, so a feature missing from the build simply has no section.
 * Buttons run ordinary commands (`/outloud mute`, …) through the engine, as if typed.
 */
import type { webApi } from "@slack/bolt";
import type { Logger } from "../../core/logger.js";
import type { WorkspaceClients } from "./clients.js";
import { errorCode } from "./directory.js";
import type { SlackOutbox } from "./outbox.js";
import { toSlackText } from "./translate.js";

export const HOME_COMMAND_ACTION = "outloud_home_command";

export interface HomeButton {
  label: string;
  /** The command it runs, without the slash, e.g. `outloud mute all 1d`. */
  command: string;
}

export interface HomeSection {
  title: string;
  lines: string[];
  buttons?: HomeButton[];
}

export interface HomeViewer {
  workspace: string;
  user: string;
  /** Whether the viewer is a member of a room: nothing from a room they are not in is shown. */
  isMember(room: string): Promise<boolean>;
}

/** Supplies one section of a person's home tab, or nothing when it has nothing to say. */
export type HomeSectionProvider = (viewer: HomeViewer) => Promise<HomeSection | undefined>;

export class HomeRenderer {
  constructor(
    private readonly deps: {
      clients: WorkspaceClients;
      providers: HomeSectionProvider[];
      help: () => string;
      isMember(workspace: string, room: string, user: string): Promise<boolean>;
      /** Where the call goes out: the outbox waits out a 429's Retry-After instead of dropping it. */
      outbox: Pick<SlackOutbox, "call">;
      log: Logger;
    },
  ) {}

  async view(workspace: string, user: string): Promise<webApi.HomeView> {
    const blocks: webApi.KnownBlock[] = [{ type: "header", text: { type: "plain_text", text: "Outloud" } }];
    const viewer: HomeViewer = {
      workspace,
      user,
      isMember: (room) => this.deps.isMember(workspace, room, user),
    };
    for (const provide of this.deps.providers) {
      let section: HomeSection | undefined;
      try {
        section = await provide(viewer);
      } catch (err) {
        this.deps.log.warn("slack home section failed", { workspace, error: errorCode(err) });
      }
      if (!section) continue;
      blocks.push({ type: "divider" });
      const body = section.lines.length > 0 ? section.lines.join("\n") : "_Nothing yet._";
      blocks.push({
        type: "section",
        text: {
          type: "mrkdwn",
          text: `*${toSlackText(section.title)}*\n${toSlackText(body)}`.slice(0, 3000),
        },
      });
      if (section.buttons?.length) {
        blocks.push({
          type: "actions",
          elements: section.buttons.slice(0, 25).map((b, i) => ({
            type: "button" as const,
            action_id: `${HOME_COMMAND_ACTION}:${i}`,
            text: { type: "plain_text" as const, text: b.label },
            value: b.command,
          })),
        });
      }
    }
    blocks.push({ type: "divider" });
    blocks.push({ type: "section", text: { type: "mrkdwn", text: this.deps.help().slice(0, 3000) } });
    return { type: "home", blocks };
  }

  async publish(workspace: string, user: string): Promise<void> {
    const { client } = await this.deps.clients.forWorkspace(workspace);
    const view = await this.view(workspace, user);
    await this.deps.outbox.call(workspace, "views.publish", () =>
      client.views.publish({ user_id: user, view }),
    );
  }
}
