import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { and, desc, eq } from "drizzle-orm";
import fc from "fast-check";
import type { SurfaceName } from "../../../src/config/schema";
import { auditLog } from "../../../src/store/schema/audit";
import { startTestAppliance, type TestAppliance } from "../../helpers/appliance";
import { obtainTokens } from "../../helpers/oauth";
import { call, connectSurface, errorText, ok, rawToolCall } from "../../helpers/tool-calls";
import { signInAdmin } from "../admin/admin-session";

/**
 * A curious tenant and a careless typist against the running appliance, over real HTTP with real tokens: one
 * tenant resolver on every surface, cross-tenant probes by human number and in the admin console, finding
 * assignment across clients, and hand-made cursors.
 */

let app: TestAppliance;
const tokens: Record<string, Partial<Record<SurfaceName, string>>> = {};
const clients: Client[] = [];
const YEAR = new Date().getUTCFullYear();
const NOT_PERMITTED = "not found or not permitted";
const INVALID_CURSOR = "invalid cursor; start again without one";

const USERS = {
  tech: "tech@harbor-it.example",
  otter: "admin@otter-msp.example",
  owner: "owner@fabrikam-law.example",
} as const;
type Who = keyof typeof USERS;

async function client(who: Who, surface: SurfaceName): Promise<Client> {
  const c = await connectSurface(app, surface, tokens[who]![surface]!);
  clients.push(c);
  return c;
}

beforeAll(async () => {
  app = await startTestAppliance();
  for (const [who, email] of Object.entries(USERS)) {
    tokens[who] = {};
    for (const surface of ["cavalier", "aegis", "forge"] as const)
      tokens[who]![surface] = (await obtainTokens(app, { email, surface })).access_token;
  }
}, 60_000);

afterAll(async () => {
  for (const c of clients) await c.close();
  await app?.close();
});

async function lastAudit(tool: string) {
  const [row] = await app.ctx.store.db
    .select()
    .from(auditLog)
    .where(and(eq(auditLog.kind, "mcp"), eq(auditLog.tool, tool)))
    .orderBy(desc(auditLog.seq))
    .limit(1);
  return row;
}

/** The raw HTTP body of a tools/call (same JSON-RPC id every time), for byte-for-byte comparison. */
async function rawBody(who: Who, surface: SurfaceName, tool: string, args: Record<string, unknown>) {
  const res = await rawToolCall(app, surface, tokens[who]![surface]!, tool, args);
  expect(res.status).toBe(200);
  return await res.text();
}

describe("one tenant resolver on every surface", () => {
  test("aegis and forge accept a tenant's name as typed, case-insensitively, like cavalier (no false alarm)", async () => {
    const aegis = await client("tech", "aegis");
    const summary = ok<{ tenant_id: string }>(
      await call(aegis, "aegis_get_posture_summary", { tenant_id: "ContosoCare" }),
    );
    expect(summary.tenant_id).toBe("contosocare");
    expect((await lastAudit("aegis_get_posture_summary"))?.outcome).toBe("ok");
    ok(await call(aegis, "aegis_list_findings", { tenant_id: "contosocare clinic" }));
    const forge = await client("tech", "forge");
    ok(await call(forge, "forge_search_knowledge", { query: "EHR", tenant_id: "CONTOSOCARE" }));
    const cavalier = await client("tech", "cavalier");
    ok(await call(cavalier, "cavalier_list_contacts", { tenant_id: "  Contosocare Clinic " }));
  });

  test("a typo is invalid_input with a did-you-mean of the caller's own tenants, never denied_cross_tenant", async () => {
    const aegis = await client("tech", "aegis");
    const text = errorText(await call(aegis, "aegis_get_posture_summary", { tenant_id: "ContosoCar" }));
    expect(text).toStartWith(NOT_PERMITTED);
    expect(text).toContain("Did you mean contosocare (ContosoCare Clinic)?");
    const row = await lastAudit("aegis_get_posture_summary");
    expect(row?.outcome).toBe("invalid_input");
  });

  const probes: { surface: SurfaceName; tool: string; args: (tenant: string) => Record<string, unknown> }[] = [
    { surface: "aegis", tool: "aegis_get_posture_summary", args: (t) => ({ tenant_id: t }) },
    { surface: "aegis", tool: "aegis_list_findings", args: (t) => ({ tenant_id: t }) },
    { surface: "forge", tool: "forge_search_knowledge", args: (t) => ({ query: "EHR", tenant_id: t }) },
    { surface: "cavalier", tool: "cavalier_list_contacts", args: (t) => ({ tenant_id: t }) },
    {
      surface: "cavalier",
      tool: "cavalier_price_quote",
      args: (t) => ({ tenant_id: t, lines: [{ product: "OPS-PRO-SEAT", quantity: 1 }] }),
    },
  ];
  for (const p of probes) {
    for (const who of ["otter", "owner"] as const) {
      test(`${p.tool}: ${who} naming another customer's tenant and a tenant that does not exist get the same bytes; only the audit differs`, async () => {
        const elsewhere = await rawBody(who, p.surface, p.tool, p.args("ContosoCare"));
        const elsewhereRow = await lastAudit(p.tool);
        const nowhere = await rawBody(who, p.surface, p.tool, p.args("ContosoCarf"));
        const nowhereRow = await lastAudit(p.tool);
        expect(elsewhere).toBe(nowhere);
        expect(elsewhere).toContain(NOT_PERMITTED);
        // The did-you-mean names only tenants the caller may see.
        for (const foreign of ["contosocare", "harbor", "tailspin", ...(who === "owner" ? ["otter"] : ["fabrikam"])])
          expect(elsewhere.toLowerCase()).not.toContain(foreign);
        expect(elsewhereRow?.outcome).toBe("denied_cross_tenant");
        expect(nowhereRow?.outcome).toBe("invalid_input");
        expect(nowhereRow?.seq).toBeGreaterThan(elsewhereRow!.seq);
      });
    }
  }
});

describe("probes by human number, and in the admin console, are flagged", () => {
  test("cavalier_get_quote by another tenant's quote_number is denied_cross_tenant; a number nobody has is not", async () => {
    const owner = await client("owner", "cavalier");
    // Q-YEAR-0039 is ContosoCare's quote; Fabrikam's owner has no quote with that number.
    const probe = errorText(await call(owner, "cavalier_get_quote", { quote_number: `Q-${YEAR}-0039` }));
    expect(probe).toBe(NOT_PERMITTED);
    expect((await lastAudit("cavalier_get_quote"))?.outcome).toBe("denied_cross_tenant");
    const miss = errorText(await call(owner, "cavalier_get_quote", { quote_number: `Q-${YEAR}-9999` }));
    expect(miss).toBe(probe);
    expect((await lastAudit("cavalier_get_quote"))?.outcome).toBe("tool_error");
    // Its own quote by number still reads.
    ok(await call(owner, "cavalier_get_quote", { quote_number: `Q-${YEAR}-0042` }));
  });

  test("a product SKU of another MSP's catalog is denied_cross_tenant, with the same answer as an unknown SKU", async () => {
    const otter = await client("otter", "cavalier");
    const args = (product: string) => ({ tenant_id: "otter-client", lines: [{ product, quantity: 1 }] });
    const probe = await rawBody("otter", "cavalier", "cavalier_price_quote", args("OPS-PRO-SEAT"));
    expect((await lastAudit("cavalier_price_quote"))?.outcome).toBe("denied_cross_tenant");
    expect(probe).toContain("lines[0].product: no active catalog product matches");
    const miss = errorText(await call(otter, "cavalier_price_quote", args("NO-SUCH-SKU")));
    expect(miss).toContain("no active catalog product matches");
    expect((await lastAudit("cavalier_price_quote"))?.outcome).toBe("tool_error");
  });

  test("an owner opening another tenant's audit row gets a 404 and the attempt is audited (kind admin)", async () => {
    const [foreign] = await app.ctx.store.db
      .select({ id: auditLog.id })
      .from(auditLog)
      .where(eq(auditLog.tenantId, "contosocare"))
      .limit(1);
    expect(foreign).toBeDefined();
    const owner = await signInAdmin(app, USERS.owner);
    const res = await owner.get(`/audit/${foreign!.id}`);
    expect(res.status).toBe(404);
    const missing = await owner.get("/audit/aud_does_not_exist");
    expect(missing.status).toBe(404);
    const page = async (r: Response) => (await r.text()).replace(/req_[A-Za-z0-9_-]+/g, "req_");
    expect(await page(res)).toBe(await page(missing));
    const rows = await app.ctx.store.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.kind, "admin"), eq(auditLog.action, "admin.audit.view")))
      .orderBy(desc(auditLog.seq));
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ outcome: "denied_cross_tenant", tenantId: "fabrikam-law" });
    expect(JSON.parse(rows[0]!.detail ?? "{}")).toMatchObject({ audit_id: foreign!.id, target_tenant: "contosocare" });
  });
});

describe("aegis_acknowledge_finding assignees", () => {
  test("MSP staff and the finding's own tenant's users may be assigned; a user of another client may not", async () => {
    const aegis = await client("tech", "aegis");
    const refused = errorText(
      await call(aegis, "aegis_acknowledge_finding", {
        finding_id: "fnd_contosocare_patch",
        note: "handing over",
        assignee_email: USERS.owner,
      }),
    );
    expect(refused).toContain("assign MSP staff or an active user of the finding's own tenant");
    const unchanged = ok<{ assignee: string | null; history: { action: string }[] }>(
      await call(aegis, "aegis_get_finding", { finding_id: "fnd_contosocare_patch" }),
    );
    expect(unchanged.assignee).not.toBe("owner");
    const own = ok<{ assignee: string }>(
      await call(aegis, "aegis_acknowledge_finding", {
        finding_id: "fnd_contosocare_patch",
        note: "the clinic's own staff",
        assignee_email: "staff@contosocare.example",
      }),
    );
    expect(own.assignee).toBe("staff");
    const staff = ok<{ assignee: string }>(
      await call(aegis, "aegis_acknowledge_finding", {
        finding_id: "fnd_contosocare_patch",
        note: "back to the MSP",
        assignee_email: "admin@harbor-it.example",
      }),
    );
    expect(staff.assignee).toBe("admin");
  });
});

describe("hand-made cursors", () => {
  const b64 = (text: string) => Buffer.from(text, "utf8").toString("base64url");
  const cases: { surface: SurfaceName; tool: string; args: Record<string, unknown>; list: string }[] = [
    { surface: "forge", tool: "forge_search_knowledge", args: { query: "EHR" }, list: "forge.search" },
    { surface: "aegis", tool: "aegis_list_findings", args: {}, list: "aegis.findings" },
    { surface: "aegis", tool: "aegis_list_controls", args: {}, list: "aegis.controls" },
    { surface: "aegis", tool: "aegis_list_tenants", args: {}, list: "aegis.tenants" },
    { surface: "cavalier", tool: "cavalier_list_quotes", args: {}, list: "cavalier.quotes" },
    { surface: "cavalier", tool: "cavalier_search_products", args: {}, list: "cavalier.products" },
  ];
  for (const c of cases) {
    test(`${c.tool}: offset 1.5, 1e300, wrong type, garbage and a tampered cursor are invalid_input`, async () => {
      const mcp = await client("tech", c.surface);
      const first = ok<{ next_cursor: string | null }>(await call(mcp, c.tool, { ...c.args, limit: 1 }));
      expect(first.next_cursor).not.toBeNull();
      const bad = [
        b64(`["${c.list}",1.5]`),
        b64(`["${c.list}",1e300]`),
        b64(`["${c.list}",1.5,"x"]`),
        b64(`["${c.list}",1e300,"x"]`),
        b64(`{"k":"${c.list}","o":"1"}`),
        b64(`{"k":"${c.list}","s":"4","i":7}`),
        "garbage!",
        `${first.next_cursor}x`,
        first.next_cursor!.slice(0, -2),
      ];
      for (const cursor of bad) {
        expect(errorText(await call(mcp, c.tool, { ...c.args, cursor }))).toBe(INVALID_CURSOR);
        expect((await lastAudit(c.tool))?.outcome).toBe("invalid_input");
      }
      ok(await call(mcp, c.tool, { ...c.args, limit: 1, cursor: first.next_cursor }));
    });
  }

  test("property: any string as a cursor, over HTTP, is a valid page or invalid_input, never a failure", async () => {
    const forge = await client("tech", "forge");
    const aegis = await client("tech", "aegis");
    const cavalier = await client("tech", "cavalier");
    const targets = [
      { mcp: forge, tool: "forge_search_knowledge", args: { query: "EHR" }, list: "forge.search" },
      { mcp: aegis, tool: "aegis_list_findings", args: {}, list: "aegis.findings" },
      { mcp: cavalier, tool: "cavalier_list_quotes", args: {}, list: "cavalier.quotes" },
    ];
    const cursor = fc.oneof(
      fc.string({ minLength: 1, maxLength: 200 }),
      fc.string({ unit: "binary", minLength: 1, maxLength: 60 }),
      fc
        .tuple(
          fc.constantFrom(...targets.map((t) => t.list)),
          fc.array(fc.jsonValue({ maxDepth: 1 }), { maxLength: 3 }),
        )
        .map(([list, rest]) => b64(JSON.stringify([list, ...rest]))),
    );
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...targets), cursor, async (t, c) => {
        const res = await call(t.mcp, t.tool, { ...t.args, cursor: c });
        if (!res.isError) {
          expect(Array.isArray((res.structuredContent as { items: unknown[] }).items)).toBe(true);
          return;
        }
        const text = errorText(res);
        expect(text === INVALID_CURSOR || text.startsWith("Invalid arguments")).toBe(true);
        expect((await lastAudit(t.tool))?.outcome).toBe("invalid_input");
      }),
      { seed: 4242, numRuns: 90, interruptAfterTimeLimit: 20_000 },
    );
  }, 30_000);
});
