import { describe, expect, it } from "vitest";
import { readsAsQuestion } from "../../../src/core/rota/question.js";

describe("readsAsQuestion", () => {
  it.each([
    "Does the payments API support refunds in EUR?",
    "hey, anyone know how to rotate the webhook secret",
    "how do I get access to the staging dashboard",
    "Is the deploy blocked (again)?",
    "@payments-responder the refund job failed",
  ])("asks: %s", (text) => {
    expect(readsAsQuestion(text, "payments-responder")).toBe(true);
  });

  it.each([
    "Deployed 1.4.2 to staging",
    "see https://example.com/search?q=refunds for the list",
    "thanks!",
    "how nice",
    "Do not deploy today, the freeze started",
    "have a nice weekend everyone",
    "will be late tomorrow morning",
    "@payments-responder-old please ignore",
  ])("does not ask: %s", (text) => {
    expect(readsAsQuestion(text, "payments-responder")).toBe(false);
  });
});
