import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { randomUUID } from "node:crypto";
import { and, desc, eq } from "drizzle-orm";
import { parseConfigText } from "../../../src/config/load";
import { auditLog } from "../../../src/store/schema/audit";
import { startTestAppliance, testConfigToml, type TestAppliance } from "../../helpers/appliance";
import { obtainTokens } from "../../helpers/oauth";
import { call, confirmed, connectSurface, errorText, ok } from "../../helpers/tool-calls";

/**
 * The quote approval policy the knowledge base states, enforced from `[policy]`: a technician may draft and revise
 * any discount but cannot mark a quote sent while a line is discounted past technician_max_discount_bps; an
 * msp_admin or platform_admin may, and the audit row of that call records the override and its approver.
 * This appliance sets the cap to 12% (1200 bps) so the test also proves the value is read from the config.
 */

let app: TestAppliance;
let tech: Client;
let admin: Client;
let platform: Client;

beforeAll(async () => {
  app = await startTestAppliance({ extraToml: "[policy]\ntechnician_max_discount_bps = 1200\n" });
  const connect = async (email: string) =>
    connectSurface(app, "cavalier", (await obtainTokens(app, { email, surface: "cavalier" })).access_token);
  [tech, admin, platform] = await Promise.all([
    connect("tech@harbor-it.example"),
    connect("admin@harbor-it.example"),
    connect("platform@harbor-it.example"),
  ]);
}, 60_000);

afterAll(async () => {
  await tech?.close();
  await admin?.close();
  await platform?.close();
  await app?.close();
});

type Quote = { quote: { id: string; status: string } };

async function draftAsTech(discounts: number[]): Promise<string> {
  const created = await confirmed<Quote>(tech, "cavalier_create_quote", {
    tenant_id: "contosocare",
    lines: discounts.map((d) => ({ product: "OPS-PRO-SEAT", quantity: 10, discount_bps: d })),
    idempotency_key: randomUUID(),
  });
  expect(created.result.quote.status).toBe("draft");
  return created.result.quote.id;
}

async function lastSentRow() {
  const [row] = await app.ctx.store.db
    .select()
    .from(auditLog)
    .where(and(eq(auditLog.kind, "mcp"), eq(auditLog.tool, "cavalier_mark_quote_sent")))
    .orderBy(desc(auditLog.seq))
    .limit(1);
  return row!;
}

describe("[policy] technician_max_discount_bps", () => {
  test("defaults to 1500 (15%, the knowledge base's policy) when the section is absent", () => {
    const config = parseConfigText(
      testConfigToml({ publicPort: 1, adminPort: 2, dbPath: "/tmp/unused.db" }),
      "policy-default.toml",
    );
    expect(config.policy.technician_max_discount_bps).toBe(1500);
    expect(app.config.policy.technician_max_discount_bps).toBe(1200);
  });

  test("a technician drafts and revises a 90% discount, but cannot send it; the error names the rule and the approvers", async () => {
    const id = await draftAsTech([0, 9000]);
    const refused = errorText(await call(tech, "cavalier_mark_quote_sent", { quote_id: id }));
    expect(refused).toContain("policy.technician_max_discount_bps = 1200");
    expect(refused).toContain("line 2 is discounted 90%");
    expect(refused).toContain("msp_admin or platform_admin");
    expect((await lastSentRow()).outcome).toBe("tool_error");
    // Refused at the proposal: confirming anyway runs nothing.
    expect(errorText(await call(tech, "cavalier_mark_quote_sent", { quote_id: id, confirmed: true }))).toContain(
      "policy.technician_max_discount_bps",
    );
    const still = ok<Quote>(await call(tech, "cavalier_get_quote", { quote_id: id }));
    expect(still.quote.status).toBe("draft");
    // Revising is still allowed (a draft at any discount).
    const revised = await confirmed<Quote>(tech, "cavalier_revise_quote", {
      quote_id: id,
      lines: [{ product: "OPS-PRO-SEAT", quantity: 10, discount_bps: 5000 }],
      idempotency_key: randomUUID(),
    });
    expect(revised.result.quote.status).toBe("draft");
  });

  test("exactly at the cap a technician may send; one basis point over may not", async () => {
    const atCap = await draftAsTech([1200]);
    const sent = await confirmed<Quote>(tech, "cavalier_mark_quote_sent", { quote_id: atCap });
    expect(sent.result.quote.status).toBe("sent");
    const row = await lastSentRow();
    expect(row.outcome).toBe("confirmed");
    expect(JSON.parse(row.detail ?? "{}").policy).toBeUndefined();
    const over = await draftAsTech([1201]);
    expect(errorText(await call(tech, "cavalier_mark_quote_sent", { quote_id: over }))).toContain("12.01%");
  });

  for (const [who, role] of [
    ["msp_admin", "msp_admin"],
    ["platform_admin", "platform_admin"],
  ] as const) {
    test(`an ${who} may send it; the audit row records the policy exceeded and who approved it`, async () => {
      const id = await draftAsTech([9000, 0, 2500]);
      const approver = who === "msp_admin" ? admin : platform;
      const sent = await confirmed<Quote>(approver, "cavalier_mark_quote_sent", { quote_id: id });
      expect(sent.proposal.summary).toContain("approves discounts above the technician cap of 12%");
      expect(sent.result.quote.status).toBe("sent");
      const row = await lastSentRow();
      expect(row.outcome).toBe("confirmed");
      const detail = JSON.parse(row.detail ?? "{}");
      expect(detail.policy).toMatchObject({
        rule: "policy.technician_max_discount_bps",
        exceeded: true,
        cap_bps: 1200,
        lines: [
          { line_no: 1, discount_bps: 9000 },
          { line_no: 3, discount_bps: 2500 },
        ],
        approved_by: { user_id: row.userId, role },
      });
    });
  }
});
