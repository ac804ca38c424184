import { readFileSync } from "node:fs";
import { expect, it } from "vitest";
import { loadConfig } from "../../../src/config/load.js";
import { configReference, undocumentedSettings } from "../../../src/config/reference.js";

it("documents every setting", () => {
  expect(undocumentedSettings()).toEqual([]);
});

it("keeps config/outloud.example.yaml in step with the schema (run npm run config:reference)", () => {
  expect(readFileSync("config/outloud.example.yaml", "utf8")).toBe(configReference());
});

it("the reference, used as a config file, gives exactly the defaults", () => {
  const fromReference = loadConfig([{ path: "example.yaml", text: configReference() }], {});
  const defaults = loadConfig([], {});
  expect(fromReference.ok && defaults.ok).toBe(true);
  if (fromReference.ok && defaults.ok)
    expect(fromReference.config.settings).toEqual(defaults.config.settings);
});
