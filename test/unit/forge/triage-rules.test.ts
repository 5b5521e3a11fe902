import { describe, expect, test } from "bun:test";
import { IMPACT_SIGNALS, REQUEST_CATEGORIES, RULES, URGENCY_SIGNALS } from "../../../src/surfaces/forge/triage-rules";

/** triage-rules.yaml is data the classifier trusts: these checks stand in for a type on its shape. */
describe("triage-rules.yaml", () => {
  test("names every scored category once, with positive weights, a tool and topics", () => {
    const scored = REQUEST_CATEGORIES.filter((c) => c !== "general" && c !== "security_incident");
    expect(RULES.map((r) => r.category).sort()).toEqual([...scored].sort());
    for (const rule of RULES) {
      expect(rule.label.length).toBeGreaterThan(0);
      expect(rule.signals.length).toBeGreaterThan(0);
      for (const [re, weight] of rule.signals) {
        expect(re).toBeInstanceOf(RegExp);
        expect(Number.isInteger(weight) && weight > 0).toBe(true);
      }
      expect(rule.suggestedTool).toMatch(/^(forge|cavalier|aegis)_[a-z_]+$/);
      expect(rule.topics.length).toBeGreaterThan(0);
    }
  });

  test("patterns match whole words, case-insensitively", () => {
    const email = RULES.find((r) => r.category === "email")!;
    expect(email.signals.some(([re]) => re.test("My OUTLOOK is broken"))).toBe(true);
    expect(email.signals.some(([re]) => re.test("outlookish"))).toBe(false);
  });

  test("impact and urgency levels are listed from high down", () => {
    const order = ["high", "medium", "low"];
    for (const signals of [IMPACT_SIGNALS, URGENCY_SIGNALS]) {
      const levels = signals.map(([level]) => order.indexOf(level));
      expect(levels).toEqual([...levels].sort((a, b) => a - b));
      expect(levels.every((i) => i >= 0)).toBe(true);
    }
  });
});
