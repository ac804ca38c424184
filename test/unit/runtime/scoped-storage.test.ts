import { describe, expect, it } from "vitest";
import { ScopedStorage } from "../../../src/scoped-storage.js";

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe("ScopedStorage", () => {
  it("keeps each run's value while another run ends (two slash commands at once keep their own replies)", async () => {
    const pending = new ScopedStorage<string>();
    let release!: () => void;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    const seen: Array<string | undefined> = [];
    const second = pending.run("second", async () => {
      await held;
      await tick();
      seen.push(pending.getStore());
    });
    await pending.run("first", async () => {
      await tick();
      seen.push(pending.getStore());
    });
    // The first has ended (the storage would be switched off if it were the only one); the second goes on.
    release();
    await second;
    expect(seen).toEqual(["first", "second"]);
    expect(pending.getStore()).toBeUndefined();
    await expect(pending.run("again", async () => pending.getStore())).resolves.toBe("again");
  });
});
