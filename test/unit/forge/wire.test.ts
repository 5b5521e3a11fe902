import { describe, expect, test } from "bun:test";
import { type DocumentView, stepsFromColumn, stepsToColumn, storedSteps } from "../../../src/surfaces/forge/documents";
import { renderSteps } from "../../../src/surfaces/forge/save-document";
import { DocumentOut, documentWire, SearchResultOut, searchResultWire } from "../../../src/surfaces/forge/wire";

/** The forge services speak camelCase; the steps column and the wire keep the snake_case they always had. */
describe("forge runbook steps: camelCase in the service, snake_case in the column and on the wire", () => {
  const column = JSON.stringify([
    { n: 1, text: "Disable the account" },
    { n: 2, text: "Wipe the laptop", requires_role: "msp_admin" },
  ]);

  test("a stored steps column reads as camelCase and writes back byte for byte", () => {
    const steps = stepsFromColumn(column)!;
    expect(steps[1]).toEqual({ n: 2, text: "Wipe the laptop", requiresRole: "msp_admin" });
    expect(stepsToColumn(steps)).toBe(column);
    // The save request hash covers the stored form, so an idempotency key used before still replays.
    expect(JSON.stringify(storedSteps(steps))).toBe(column);
    expect(stepsFromColumn(null)).toBeNull();
  });

  test("the rendered body names the role a step requires", () => {
    expect(renderSteps(stepsFromColumn(column)!)).toBe(
      "1. Disable the account\n2. Wipe the laptop (requires msp_admin)",
    );
  });

  test("documentWire presents a runbook in the declared output shape", () => {
    const doc: DocumentView = {
      id: "rb_x",
      kind: "runbook",
      tenantId: "contosocare",
      title: "Offboarding",
      summary: "When someone leaves",
      body: "1. Disable the account",
      steps: stepsFromColumn(column),
      tags: ["offboarding"],
      visibility: "internal",
      version: 2,
      updatedBy: "Ana",
      updatedAt: "2026-01-02T00:00:00.000Z",
      createdAt: "2026-01-01T00:00:00.000Z",
      versions: [{ version: 1, createdAt: "2026-01-01T00:00:00.000Z", createdBy: "Ana", changeNote: "first" }],
      archived: null,
    };
    const wire = documentWire(doc);
    expect(DocumentOut(wire)).toEqual(wire);
    expect(wire.tenant_id).toBe("contosocare");
    expect(wire.steps![1]).toEqual({ n: 2, text: "Wipe the laptop", requires_role: "msp_admin" });
    expect(wire.steps![0]).not.toHaveProperty("requires_role");
    expect(wire.versions[0]).toEqual({
      version: 1,
      created_at: "2026-01-01T00:00:00.000Z",
      created_by: "Ana",
      change_note: "first",
    });
  });

  test("searchResultWire presents hits and the cursor in the declared output shape", () => {
    const wire = searchResultWire({
      items: [
        {
          id: "kb_a",
          kind: "article",
          tenantId: "harbor-it",
          scope: "msp_wide",
          title: "MFA",
          summary: "s",
          snippet: "**mfa**",
          tags: [],
          version: 1,
          updatedAt: "2026-01-01T00:00:00.000Z",
          score: 1.5,
        },
      ],
      nextCursor: null,
      queryTerms: '"mfa"',
      note: "n",
    });
    expect(SearchResultOut(wire)).toEqual(wire);
    expect(wire.items[0]!.tenant_id).toBe("harbor-it");
    expect(wire.next_cursor).toBeNull();
    expect(wire.query_terms).toBe('"mfa"');
  });
});
