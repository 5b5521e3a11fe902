import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { randomUUID } from "node:crypto";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { COMMANDS } from "../../src/cli/commands";
import { SURFACES, type SurfaceName } from "../../src/config/schema";
import { startTestAppliance, testConfigToml, type TestAppliance } from "../helpers/appliance";
import { connectWithOAuth, FormDrivenOAuthProvider, type SharedRegistration } from "../helpers/mcp-client";
import { formBody } from "../helpers/oauth";

/**
 * One assistant (one OAuth client registration) connected to the three surfaces at once, as ChatGPT does with
 * three connectors: the MCP SDK Client + StreamableHTTPClientTransport + an OAuth provider, against a real
 * appliance. It reads, goes through a confirmation, is refused across tenants, and is cut off by a revoke;
 * then the audit log holds every one of those calls, across the three surfaces, in order, and `audit verify`
 * passes — and names the row once one is edited.
 */
let app: TestAppliance;
const registration: SharedRegistration = {};
const providers = new Map<SurfaceName, FormDrivenOAuthProvider>();
const clients = new Map<SurfaceName, Client>();
let otter: Client;

beforeAll(async () => {
  app = await startTestAppliance();
  for (const s of SURFACES) {
    const p = new FormDrivenOAuthProvider("admin@harbor-it.example", registration);
    providers.set(s, p);
    // The alias path for one surface, as clients that insist on /mcp use it.
    clients.set(s, await connectWithOAuth(app, s, p, s === "aegis" ? "/mcp" : ""));
  }
  otter = await connectWithOAuth(app, "cavalier", new FormDrivenOAuthProvider("admin@otter-msp.example", {}));
}, 60_000);
afterAll(async () => {
  for (const c of clients.values()) await c.close().catch(() => {});
  await otter?.close().catch(() => {});
  await app?.close();
});

const c = (s: SurfaceName) => clients.get(s)!;

async function mcpAuditSince(seq: number) {
  await app.ctx.audit.flush();
  const r = await app.ctx.store.client.execute({
    sql: "SELECT * FROM audit_log WHERE kind = 'mcp' AND seq > ? ORDER BY seq",
    args: [seq],
  });
  return r.rows;
}

describe("one assistant, three surfaces", () => {
  test("reads, a confirmation, a cross-tenant refusal and a revoke, all audited in order; audit verify passes and names an edited row", async () => {
    expect(registration.info?.client_id).toBeTruthy();
    const start = Number(
      (await app.ctx.store.client.execute("SELECT coalesce(max(seq), 0) AS s FROM audit_log")).rows[0]!.s,
    );

    // Every surface lists its tools with full annotations; the SDK validates structuredContent against them.
    for (const s of SURFACES) {
      const { tools } = await c(s).listTools();
      for (const t of tools) expect(t.annotations?.title).toBe(t.title);
    }

    const posture = await c("aegis").callTool({
      name: "aegis_get_posture_summary",
      arguments: { tenant_id: "contosocare" },
    });
    expect(posture.isError).toBeFalsy();
    expect((posture.structuredContent as { tenant_id: string }).tenant_id).toBe("contosocare");

    const search = await c("forge").callTool({
      name: "forge_search_knowledge",
      arguments: { query: "legacy authentication", tenant_id: "contosocare" },
    });
    expect(search.isError).toBeFalsy();

    const args = {
      tenant_id: "contosocare",
      lines: [{ product: "Operations Pro", quantity: 1 }],
      idempotency_key: randomUUID(),
    };
    const proposal = await c("cavalier").callTool({ name: "cavalier_create_quote", arguments: args });
    const envelope = proposal.structuredContent as { status: string; summary: string };
    expect(envelope.status).toBe("confirmation_required");
    expect(envelope.summary).toContain("ContosoCare");
    const created = await c("cavalier").callTool({
      name: "cavalier_create_quote",
      arguments: { ...args, confirmed: true },
    });
    expect(created.isError).toBeFalsy();
    const quoteId = (created.structuredContent as { quote: { id: string } }).quote.id;

    const foreign = await otter.callTool({ name: "cavalier_get_quote", arguments: { quote_id: quoteId } });
    expect(foreign.isError).toBe(true);
    expect(JSON.stringify(foreign.content)).toContain("not found or not permitted");

    // Revoke the assistant's cavalier grant (RFC 7009, as the client itself would); the next call is refused.
    const cav = providers.get("cavalier")!;
    const revoked = await fetch(
      `${app.baseUrl}/oauth/revoke`,
      formBody({ token: cav.tokens()!.refresh_token!, client_id: registration.info!.client_id }),
    );
    expect(revoked.status).toBe(200);
    cav.interactive = false;
    await expect(
      c("cavalier").callTool({ name: "cavalier_get_quote", arguments: { quote_id: quoteId } }),
    ).rejects.toThrow();
    // The other surfaces hold their own grants and keep working.
    expect(
      (await c("aegis").callTool({ name: "aegis_get_posture_summary", arguments: { tenant_id: "contosocare" } }))
        .isError,
    ).toBeFalsy();

    const rows = await mcpAuditSince(start);
    const before = await mcpAuditSince(0);
    // The connects' first, token-less requests were refused with 401 and audited too (3 surfaces + the other MSP).
    expect(before.filter((r) => r.outcome === "unauthorized" && r.tool === null).length).toBeGreaterThanOrEqual(4);
    const calls = rows.filter((r) => r.tool !== null).map((r) => `${r.surface} ${r.tool} ${r.outcome}`);
    const expected = [
      "aegis aegis_get_posture_summary ok",
      "forge forge_search_knowledge ok",
      "cavalier cavalier_create_quote confirmation_required",
      "cavalier cavalier_create_quote confirmed",
      "cavalier cavalier_get_quote denied_cross_tenant",
      "cavalier cavalier_get_quote unauthorized",
      "aegis aegis_get_posture_summary ok",
    ];
    expect(calls).toEqual(expected);
    const byOutcome = (o: string) => rows.find((r) => r.outcome === o)!;
    expect(byOutcome("confirmed").confirms_id).toBe(byOutcome("confirmation_required").id);
    // No tenant argument: the row carries the caller's own tenant, and the detail names the object refused.
    expect(byOutcome("denied_cross_tenant").tenant_id).toBe("otter-msp");
    expect(String(byOutcome("denied_cross_tenant").detail)).toContain(quoteId);
    expect(byOutcome("confirmed").client_id).toBe(registration.info!.client_id);
    expect(
      new Set(rows.filter((r) => r.tool !== null && r.outcome !== "unauthorized").map((r) => r.user_id)).size,
    ).toBe(2);

    // `cavaridge audit verify` over the same database: passes, then names the row edited behind its back.
    const configPath = join(app.dir, "config.toml");
    const publicPort = Number(new URL(app.baseUrl).port);
    writeFileSync(
      configPath,
      testConfigToml({ publicPort, adminPort: Number(new URL(app.adminUrl).port), dbPath: app.dbPath }),
    );
    const out: string[] = [];
    const io = { out: (l: string) => out.push(l), err: (l: string) => out.push(l), env: {}, readStdin: async () => "" };
    await app.ctx.audit.flush();
    expect(await COMMANDS["audit verify"]!.run(["--config", configPath], io)).toBe(0);
    const victim = byOutcome("denied_cross_tenant");
    await app.ctx.store.client.execute({
      sql: "UPDATE audit_log SET outcome = 'ok' WHERE id = ?",
      args: [String(victim.id)],
    });
    out.length = 0;
    expect(await COMMANDS["audit verify"]!.run(["--config", configPath], io)).toBe(2);
    expect(out.join("\n")).toContain(`seq ${victim.seq}..${victim.seq}: hash_mismatch`);
  }, 60_000);
});
