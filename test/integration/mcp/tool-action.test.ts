import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { userIdForEmail } from "../../../src/tenancy/sync";
import { startTestAppliance, type TestAppliance } from "../../helpers/appliance";
import { obtainTokens } from "../../helpers/oauth";
import { call, connectSurface, ok } from "../../helpers/tool-calls";
import { auditRows, bearer, signInAdmin } from "../admin/admin-session";

/**
 * Regression: the audit row's action was the tool's title, so giving tools human titles ("List findings") would
 * have filed new rows under another action than the rows already in the log ("aegis.list_findings"). The action
 * is now its own dotted field of the definition; titles can change without splitting a tool's history.
 */

let app: TestAppliance;
let aegis: Client;
let adminToken: string;

beforeAll(async () => {
  app = await startTestAppliance();
  const tokens = await obtainTokens(app, { email: "tech@harbor-it.example", surface: "aegis" });
  aegis = await connectSurface(app, "aegis", tokens.access_token);
  adminToken = await (await signInAdmin(app, "admin@harbor-it.example")).createApiToken("action-test");
}, 60_000);

afterAll(async () => {
  await aegis?.close();
  await app?.close();
});

describe("a tool's audit action is dotted and independent of its title", () => {
  test("old rows, new rows and the admin tool filter all meet on one action", async () => {
    // A row as the appliance wrote it while titles were dotted: action = title = "aegis.list_findings".
    await app.ctx.audit.record({
      kind: "mcp",
      action: "aegis.list_findings",
      outcome: "ok",
      surface: "aegis",
      tool: "aegis_list_findings",
      userId: userIdForEmail("tech@harbor-it.example"),
      tenantId: "harbor-it",
      detail: { written_by: "an earlier release" },
    });

    const listed = await aegis.listTools();
    const tool = listed.tools.find((t) => t.name === "aegis_list_findings")!;
    expect(tool.title).toBe("List findings");
    expect(tool.annotations?.title).toBe("List findings");

    ok(await call(aegis, "aegis_list_findings", { tenant_id: "contosocare" }));
    // Refused by input validation: audited under the same action as an answered call.
    expect((await call(aegis, "aegis_list_findings", { limit: 0 })).isError).toBe(true);

    const rows = await auditRows(app, "tool = ?", ["aegis_list_findings"]);
    expect(rows.map((r) => [r.action, r.outcome])).toEqual([
      ["aegis.list_findings", "ok"],
      ["aegis.list_findings", "ok"],
      ["aegis.list_findings", "invalid_input"],
    ]);
    expect(await auditRows(app, "action = ?", ["List findings"])).toEqual([]);

    const res = await fetch(`${app.adminUrl}/api/mcp/audit?kind=mcp&tool=aegis_list_findings`, bearer(adminToken));
    expect(res.status).toBe(200);
    const body = (await res.json()) as { rows: { action: string; outcome: string; detail: unknown }[] };
    expect(body.rows.map((r) => [r.action, r.outcome])).toEqual([
      ["aegis.list_findings", "invalid_input"],
      ["aegis.list_findings", "ok"],
      ["aegis.list_findings", "ok"],
    ]);
  });
});
