import { configDefaults, defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    // Integration tests start servers and child processes; give them room on a 2-core machine.
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: "forks",
    projects: [
      {
        extends: true,
        test: {
          name: "unit-and-integration",
          include: ["test/**/*.test.ts"],
          exclude: [...configDefaults.exclude, "test/e2e/**"],
        },
      },
      {
        // Against a real Synapse (test/e2e/matrix-synapse): `npx vitest run --project matrix-synapse`.
        // It runs after the others, one file at a time: each file drives the bot as a real process,
        // and a busy machine would turn Synapse's rate-limit waits into timeouts.
        extends: true,
        test: {
          name: "matrix-synapse",
          include: ["test/e2e/matrix-synapse/**/*.test.ts"],
          globalSetup: ["test/e2e/matrix-synapse/global-setup.ts"],
          maxWorkers: 1,
          testTimeout: 180_000,
          hookTimeout: 240_000,
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});
