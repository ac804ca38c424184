import { describe, expect, it } from "vitest";
import { parseDecisionId } from "../../../src/core/decisions/model.js";
import { hasDecisionLanguage, ownWords, slugOf, titleOf } from "../../../src/core/decisions/text.js";

describe("titleOf", () => {
  it("takes the first sentence", () => {
    expect(titleOf("Use PostgreSQL for events. SQLite stays for replay.")).toBe("Use PostgreSQL for events");
    expect(titleOf("Ship v1.2 on Friday! Then rest.")).toBe("Ship v1.2 on Friday");
    expect(titleOf("Move to Node 20?\nYes.")).toBe("Move to Node 20");
  });

  it("keeps titles on one line and at most 80 characters, cut at a word", () => {
    const long =
      "We will move every service in the payments domain to the new event bus before the end of the quarter";
    const title = titleOf(long);
    expect(title.length).toBeLessThanOrEqual(80);
    expect(title).toBe("We will move every service in the payments domain to the new event bus before…");
    expect(titleOf("a\nb\tc")).toBe("a b c");
  });
});

describe("slugOf", () => {
  it("makes a safe file-name fragment", () => {
    expect(slugOf("Use PostgreSQL for events")).toBe("use-postgresql-for-events");
    expect(slugOf("../../etc/passwd")).toBe("etc-passwd");
    expect(slugOf("C:\\Windows\\system32")).toBe("c-windows-system32");
    expect(slugOf("Café & crème brûlée")).toBe("cafe-creme-brulee");
    expect(slugOf("日本語")).toBe("decision");
    expect(slugOf("x".repeat(100))).toHaveLength(60);
  });
});

describe("hasDecisionLanguage", () => {
  it("spots the phrases that announce a decision", () => {
    expect(hasDecisionLanguage("OK so we decided to ship Friday")).toBe(true);
    expect(hasDecisionLanguage("We've decided: no deploys on Fridays")).toBe(true);
    expect(hasDecisionLanguage("let's go with option B")).toBe(true);
    expect(hasDecisionLanguage("Lets go with Kafka")).toBe(true);
    expect(hasDecisionLanguage("Agreed: postgres")).toBe(true);
    expect(hasDecisionLanguage("Final decision is B")).toBe(true);
  });

  it("stays quiet on ordinary talk", () => {
    expect(hasDecisionLanguage("I agreed with him yesterday")).toBe(false);
    expect(hasDecisionLanguage("have we decided yet?")).toBe(false);
    expect(hasDecisionLanguage("let's go for lunch")).toBe(false);
  });
});

describe("parseDecisionId", () => {
  it("reads D-12, d-12, D12 and 12", () => {
    expect(["D-12", "d-12", "D12", "12"].map(parseDecisionId)).toEqual([12, 12, 12, 12]);
    expect(parseDecisionId("X-12")).toBeUndefined();
    expect(parseDecisionId("D-")).toBeUndefined();
  });
});

describe("ownWords", () => {
  it("drops a leading quote and a **Name:** sender prefix, as quotes and bridged messages carry them", () => {
    expect(ownWords("> Which database for the ledger?\n**Alice:** We go with PostgreSQL")).toBe(
      "We go with PostgreSQL",
    );
    expect(ownWords("> <@bob:example.org> Which one?\n\nWe go with PostgreSQL")).toBe(
      "We go with PostgreSQL",
    );
    expect(ownWords("**Alice**: We go with PostgreSQL")).toBe("We go with PostgreSQL");
  });

  it("keeps bold words further in, and a message that is only a quote", () => {
    expect(ownWords("We go with **PostgreSQL**: it has the ledger extension")).toBe(
      "We go with **PostgreSQL**: it has the ledger extension",
    );
    expect(ownWords("> only a quote")).toBe("> only a quote");
  });
});
