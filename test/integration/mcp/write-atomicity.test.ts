import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { randomUUID } from "node:crypto";
import { verifyAuditChain } from "../../../src/audit/log";
import { aegisTools } from "../../../src/surfaces/aegis/index";
import { cavalierTools } from "../../../src/surfaces/cavalier/index";
import { forgeTools } from "../../../src/surfaces/forge/index";
import { startTestAppliance, type TestAppliance } from "../../helpers/appliance";
import { obtainTokens } from "../../helpers/oauth";
import { call, confirmed, connectSurface, errorText, ok } from "../../helpers/tool-calls";

/**
 * Regression: tools that write but are not destructive committed their business write and only then queued the
 * audit row, so a crash (or a failing audit insert) in between left a write the log does not show. Here the
 * audit insert of one tool's `ok` row is made to fail by a real trigger in the appliance's libSQL file; the
 * business write must be absent afterwards, and the refusal itself is still audited.
 */

let app: TestAppliance;
let cavalier: Client;
let forge: Client;
let aegis: Client;

beforeAll(async () => {
  app = await startTestAppliance();
  const [c, f, a] = await Promise.all([
    obtainTokens(app, { email: "tech@harbor-it.example", surface: "cavalier" }),
    obtainTokens(app, { email: "tech@harbor-it.example", surface: "forge" }),
    obtainTokens(app, { email: "tech@harbor-it.example", surface: "aegis" }),
  ]);
  cavalier = await connectSurface(app, "cavalier", c.access_token);
  forge = await connectSurface(app, "forge", f.access_token);
  aegis = await connectSurface(app, "aegis", a.access_token);
}, 60_000);

afterAll(async () => {
  await cavalier?.close();
  await forge?.close();
  await aegis?.close();
  await app?.close();
});

async function count(sql: string, args: (string | number)[]): Promise<number> {
  return Number((await app.ctx.store.client.execute({ sql, args })).rows[0]!.n);
}

/** Runs `fn` while the store refuses the `ok` audit row of `action` (a real trigger, dropped afterwards). */
async function withAuditRowRefused<T>(action: string, fn: () => Promise<T>): Promise<T> {
  await app.ctx.store.client.execute(
    `CREATE TRIGGER refuse_audit_row BEFORE INSERT ON audit_log
     WHEN NEW.action = '${action}' AND NEW.outcome = 'ok'
     BEGIN SELECT RAISE(ABORT, 'audit row refused by the test'); END`,
  );
  try {
    return await fn();
  } finally {
    await app.ctx.store.client.execute("DROP TRIGGER refuse_audit_row");
  }
}

async function outcomesOf(action: string): Promise<string[]> {
  await app.ctx.audit.flush();
  const r = await app.ctx.store.client.execute({
    sql: "SELECT outcome FROM audit_log WHERE action = ? ORDER BY seq",
    args: [action],
  });
  return r.rows.map((x) => String(x.outcome));
}

describe("a write and its audit row commit together", () => {
  test("every tool that is not read-only is marked as writing (so it runs in the write transaction)", () => {
    const tools = [...aegisTools, ...cavalierTools, ...forgeTools];
    expect(tools.length).toBeGreaterThan(10);
    for (const t of tools)
      expect({ name: t.name, writes: t.writes }).toEqual({ name: t.name, writes: !t.annotations.readOnlyHint });
  });

  test("cavalier_create_deal: when its audit row cannot be written, no deal exists", async () => {
    const key = randomUUID();
    const args = { tenant_id: "contosocare", name: "Atomic deal", notes: "n", idempotency_key: key };
    const res = await withAuditRowRefused("cavalier.create_deal", () => call(cavalier, "cavalier_create_deal", args));
    expect(errorText(res)).toContain("failed unexpectedly");
    expect(await count("SELECT count(*) AS n FROM cavalier_deals WHERE idempotency_key = ?", [key])).toBe(0);
    expect(await outcomesOf("cavalier.create_deal")).toEqual(["failed"]);

    // Without the trigger the same call writes the deal and its row, in one transaction.
    const made = ok<{ deal: { id: string } }>(await call(cavalier, "cavalier_create_deal", args));
    expect(await count("SELECT count(*) AS n FROM cavalier_deals WHERE id = ?", [made.deal.id])).toBe(1);
    expect(await outcomesOf("cavalier.create_deal")).toEqual(["failed", "ok"]);
  });

  test("forge_save_article and forge_save_runbook: no document, no version without the row", async () => {
    const article = {
      tenant_id: "harbor-it",
      title: "Atomicity article",
      summary: "Written only with its audit row.",
      body: "Body.",
      tags: ["atomic"],
      visibility: "internal",
      change_note: "first",
      idempotency_key: randomUUID(),
    };
    const res = await withAuditRowRefused("forge.save_article", () => call(forge, "forge_save_article", article));
    expect(errorText(res)).toContain("failed unexpectedly");
    expect(await count("SELECT count(*) AS n FROM forge_documents WHERE title = ?", [article.title])).toBe(0);

    const runbook = {
      tenant_id: "harbor-it",
      title: "Atomicity runbook",
      when_to_use: "Never, it is a test.",
      steps: [{ text: "Do nothing." }],
      visibility: "internal",
      change_note: "first",
      idempotency_key: randomUUID(),
    };
    const res2 = await withAuditRowRefused("forge.save_runbook", () => call(forge, "forge_save_runbook", runbook));
    expect(errorText(res2)).toContain("failed unexpectedly");
    expect(await count("SELECT count(*) AS n FROM forge_documents WHERE title = ?", [runbook.title])).toBe(0);
  });

  test("aegis_acknowledge_finding and aegis_reopen_finding: the finding and its history are untouched", async () => {
    const finding = "fnd_contosocare_mfa_all";
    const events = () => count("SELECT count(*) AS n FROM aegis_finding_events WHERE finding_id = ?", [finding]);
    const status = async () =>
      Number(
        (
          await app.ctx.store.client.execute({
            sql: "SELECT status_id FROM aegis_findings WHERE id = ?",
            args: [finding],
          })
        ).rows[0]!.status_id,
      );
    const before = { events: await events(), status: await status() };
    const res = await withAuditRowRefused("aegis.acknowledge_finding", () =>
      call(aegis, "aegis_acknowledge_finding", { finding_id: finding, note: "Looking at it now" }),
    );
    expect(errorText(res)).toContain("failed unexpectedly");
    expect({ events: await events(), status: await status() }).toEqual(before);

    await confirmed(aegis, "aegis_resolve_finding", {
      finding_id: finding,
      resolution_note: "Conditional access policy now requires MFA for all users",
    });
    const resolved = { events: await events(), status: await status() };
    const res2 = await withAuditRowRefused("aegis.reopen_finding", () =>
      call(aegis, "aegis_reopen_finding", { finding_id: finding, reason: "Policy was switched to report-only" }),
    );
    expect(errorText(res2)).toContain("failed unexpectedly");
    expect({ events: await events(), status: await status() }).toEqual(resolved);
  });

  test("the chain verifies after every refused row", async () => {
    await app.ctx.audit.flush();
    expect((await verifyAuditChain(app.ctx.store.client)).breaks).toEqual([]);
  });
});
