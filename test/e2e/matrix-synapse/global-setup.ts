/**
 * The Synapse project's global setup: one homeserver for every file of the suite, stopped at the end.
 * When it cannot start, the run fails here with synapse.sh's reason (no test is silently skipped).
 */
import type { TestProject } from "vitest/node";
import { type SynapseServer, startSynapse, stopSynapse } from "./synapse.js";

declare module "vitest" {
  export interface ProvidedContext {
    synapse: SynapseServer;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const server = await startSynapse();
  project.provide("synapse", server);
  return () => stopSynapse(server);
}
