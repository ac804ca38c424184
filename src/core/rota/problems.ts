/**
 * When a rota cannot do its job for a reason only a person can fix (the bot is not in the room, the
 * room is archived, a permission or a paid feature is missing), the person who set it up is told
 * once, by DM, what to do, and `/rota who` shows the problem until an announcement made after it.
 * Kept in the settings store: who set each rota up, and the last problem seen.
 */
import type { CoreServices } from "../feature.js";
import type { DeliveryProblem, DeliveryProblemKind } from "../ports.js";
import type { ClaimStore, SettingsStore } from "../stores.js";
import type { Rota, Turn } from "./store.js";

export interface RotaProblem {
  kind: DeliveryProblemKind;
  reason: string;
  fix: string;
  /** When it was seen, ISO. */
  at: string;
}

const OWNER = "owner";
const PROBLEM = "problem";

export class RotaProblems {
  constructor(
    private readonly deps: {
      notes: SettingsStore;
      claims: ClaimStore;
      services: CoreServices;
    },
  ) {}

  /** `/rota setup`: who to tell when the rota runs into trouble; an older problem is forgotten. */
  async setUp(rota: Rota, owner: string): Promise<void> {
    await this.deps.notes.set(rota.workspace, scope(rota), OWNER, owner);
    await this.deps.notes.delete(rota.workspace, scope(rota), PROBLEM);
  }

  /** Records the problem and DMs the rota's owner about it, once per kind of problem per rota setup. */
  async report(rota: Rota, problem: DeliveryProblem): Promise<void> {
    const { notes, claims, services } = this.deps;
    const now = services.clock.now();
    const record: RotaProblem = {
      kind: problem.kind,
      reason: problem.reason,
      fix: problem.fix,
      at: now.toISOString(),
    };
    await notes.set(rota.workspace, scope(rota), PROBLEM, record);
    const owner = await notes.get<string>(rota.workspace, scope(rota), OWNER);
    const context = { workspace: rota.workspace, room: rota.room, problem: problem.kind };
    if (!owner) {
      services.log.warn("rota problem: nobody known to tell (set up before owners were kept)", context);
      return;
    }
    // Changing the rota (a re-setup, a new time) is a fresh start: a problem seen again is told again.
    const key = `rota-problem:${rota.room}:${problem.kind}:${rota.updatedAt.toISOString()}`;
    // The claim and the DM are saved together: a crash leaves both (sent after the restart) or neither
    // (told when the problem is seen again).
    const told = await services.atomically(async () => {
      if (!(await claims.claim(rota.workspace, key, now))) return false;
      await services.emit({
        workspace: rota.workspace,
        source: "rota.problem",
        action: "dm",
        user: owner,
        text: `The rota you set up in #${rota.roomName} cannot do its job: ${problem.reason}. ${problem.fix}`,
      });
      return true;
    });
    if (told) services.log.info("rota problem: told the person who set it up", context);
  }

  /** The problem to show: the last one seen, unless an announcement was made since. */
  async current(rota: Rota, lastTurn: Turn | undefined): Promise<RotaProblem | undefined> {
    const problem = await this.deps.notes.get<RotaProblem>(rota.workspace, scope(rota), PROBLEM);
    if (!problem) return undefined;
    if (lastTurn && lastTurn.announcedAt.getTime() > new Date(problem.at).getTime()) return undefined;
    return problem;
  }
}

function scope(rota: Pick<Rota, "room">): string {
  return `rota:${rota.room}`;
}
