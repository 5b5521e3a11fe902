import { describe, expect, test } from "bun:test";
import { type } from "arktype";
import { defineTool } from "../../../src/mcp/define-tool";

/**
 * Regression: arktype words a failed constraint with the parameter's description ("idempotency_key must be A unique
 * key for this request … (was 2)"), so a model could not tell what to change. Messages now state the rule from the
 * published JSON Schema and the value sent.
 */
const tool = defineTool({
  name: "test_errors",
  title: "test.errors",
  action: "test.errors",
  description: "Use this when testing validation messages.",
  input: type({
    key: type(/^[a-z0-9-]{8,64}$/).describe("A unique key for this request (a fresh UUID)."),
    "limit?": type("1 <= number.integer <= 100").describe("How many items per page."),
    kind: type("'draft' | 'sent'").describe("Which quotes to list."),
    lines: type({ quantity: type("1 <= number.integer <= 999").describe("How many units.") })
      .array()
      .atLeastLength(1)
      .describe("The quote lines."),
  }),
  output: type({ ok: "boolean" }),
  scope: "test:read",
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  handler: async () => ({ ok: true }),
});

function messageFor(args: unknown): string {
  const r = tool.checkInput(args);
  if (r.ok) throw new Error("expected a validation failure");
  return r.message;
}

describe("input validation messages say what to change", () => {
  test("a pattern, a range and an enum are restated with the value sent", () => {
    const m = messageFor({ key: "k1", limit: 500, kind: "void", lines: [{ quantity: 1 }] });
    expect(m).toContain('key must be a string matching ^[a-z0-9-]{8,64}$ (got "k1")');
    expect(m).toContain("limit must be a whole number from 1 to 100 (got 500)");
    expect(m).toContain('kind must be one of "draft", "sent" (got "void")');
    expect(m).not.toContain("A unique key");
  });

  test("nested paths, missing and undeclared parameters", () => {
    const m = messageFor({ lines: [{ quantity: 0 }], colour: "red" });
    expect(m).toContain("lines[0].quantity must be a whole number from 1 to 999 (got 0)");
    expect(m).toContain("key is required: a string matching");
    expect(m).toContain("kind is required");
    expect(m).toContain("colour is not a parameter of this tool; remove it");
  });

  test("an empty list names its minimum", () => {
    expect(messageFor({ key: "abcdefgh", kind: "sent", lines: [] })).toBe(
      "lines must be a list of at least 1 items (got [])",
    );
  });
});
