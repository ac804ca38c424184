import { describe, expect, it } from "vitest";
import { loadConfig } from "../../../src/config/load.js";

const load = (yaml: string) => loadConfig([{ path: "outloud.yaml", text: yaml }], {});

describe("rota settings", () => {
  it("have documented defaults", () => {
    const result = load("");
    expect(result.ok && result.config.settings.rota).toEqual({
      defaultTime: "09:00",
      defaultDays: "mon-fri",
      setTopic: true,
      topicTemplate: "Today's responder: @{responder}",
      setGroup: true,
      groupHandle: "{room}-responder",
      lateAnnouncement: "late",
      questionMinutes: 30,
      handoverDays: 7,
      whoMayChange: "team",
      syncSeconds: 60,
    });
  });

  it.each([
    ["rota:\n  lateAnnouncement: sometimes", "rota.lateAnnouncement"],
    ["rota:\n  defaultTime: '25:00'", "rota.defaultTime"],
    ["rota:\n  defaultDays: weekdays", "rota.defaultDays"],
    ["rota:\n  questionMinutes: 0", "rota.questionMinutes"],
    ["rota:\n  syncSeconds: 0", "rota.syncSeconds"],
    ["rota:\n  lateAnnoucement: none", "lateAnnoucement"],
    [`rota:\n  topicTemplate: "${"x".repeat(240)} @{responder}"`, "rota.topicTemplate"],
  ])("reject %j, naming %s", (yaml, key) => {
    const result = load(yaml);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.problems.join("\n")).toContain(key);
  });
});
