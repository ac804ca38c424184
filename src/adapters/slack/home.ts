/**
 * The App Home tab: the features' summaries of what concerns you (your rotas and your next duty,
 * recent decisions in your rooms, your nudge settings with buttons), plus the command help.
 * Buttons run ordinary commands (`/outloud mute`, …) through the engine, as if typed.
 */
import type { webApi } from "@slack/bolt";
import type { SummarySection, SummaryViewer } from "../../core/summaries.js";
import type { WorkspaceClients } from "./clients.js";
import type { SlackOutbox } from "./outbox.js";
import { fitText } from "./render.js";
import { escapeSlack, toSlackText } from "./translate.js";

export const HOME_COMMAND_ACTION = "outloud_home_command";

export class HomeRenderer {
  constructor(
    private readonly deps: {
      clients: WorkspaceClients;
      /** The features' summaries for one person (Engine.summaries). */
      summaries(viewer: SummaryViewer): Promise<SummarySection[]>;
      help: () => string;
      isMember(workspace: string, room: string, user: string): Promise<boolean>;
      /** Where the call goes out: the outbox waits out a 429's Retry-After instead of dropping it. */
      outbox: Pick<SlackOutbox, "call">;
    },
  ) {}

  async view(workspace: string, user: string): Promise<webApi.HomeView> {
    const blocks: webApi.KnownBlock[] = [{ type: "header", text: { type: "plain_text", text: "Outloud" } }];
    const viewer: SummaryViewer = {
      workspace,
      user,
      isMember: (room) => this.deps.isMember(workspace, room, user),
    };
    for (const section of await this.deps.summaries(viewer)) {
      blocks.push({ type: "divider" });
      const body = section.lines.length > 0 ? section.lines.join("\n") : "_Nothing yet._";
      blocks.push({
        type: "section",
        text: {
          type: "mrkdwn",
          text: fitText(`*${toSlackText(section.title)}*\n${toSlackText(body)}`, 3000),
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
    // The help shows placeholders such as `<what was decided>`: escaped, or mrkdwn would eat them.
    blocks.push({
      type: "section",
      text: { type: "mrkdwn", text: fitText(escapeSlack(this.deps.help()), 3000) },
    });
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
