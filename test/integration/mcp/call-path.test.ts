import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { verifyAuditChain } from "../../../src/audit/log";
import { startTestAppliance, type TestAppliance } from "../../helpers/appliance";
import { accessFor, fixtureTools, serveSurface, tableAuth } from "../../helpers/mcp";

let app: TestAppliance;
let srv: ReturnType<typeof serveSurface>;
let now = Date.parse("2026-11-24T10:00:00Z");

beforeAll(async () => {
  app = await startTestAppliance({ clock: () => now });
  const auth = tableAuth({
    tech: accessFor("tech@harbor-it.example", "technician", "harbor-it", "cavalier", [
      "cavalier:read",
      "cavalier:write",
    ]),
    "tech-other-client": accessFor(
      "tech@harbor-it.example",
      "technician",
      "harbor-it",
      "cavalier",
      ["cavalier:read", "cavalier:write"],
      "cli_other",
    ),
    admin: accessFor("admin@harbor-it.example", "msp_admin", "harbor-it", "cavalier", [
      "cavalier:read",
      "cavalier:write",
    ]),
    otter: accessFor("admin@otter-msp.example", "msp_admin", "otter-msp", "cavalier", [
      "cavalier:read",
      "cavalier:write",
    ]),
    staff: accessFor("staff@contosocare.example", "technician", "contosocare", "cavalier", [
      "cavalier:read",
      "cavalier:write",
    ]),
  });
  srv = serveSurface(app.ctx, "cavalier", fixtureTools("cavalier"), auth);
});
afterAll(async () => {
  srv?.stop();
  await app?.close();
});

let seq = 0;
async function call(token: string, name: string, args: Record<string, unknown>) {
  const requestId = `req_callpath_${++seq}_${Date.now()}`;
  const res = await fetch(srv.url, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      authorization: `Bearer ${token}`,
      "x-request-id": requestId,
      "mcp-protocol-version": "2025-11-25",
    },
    body: JSON.stringify({ jsonrpc: "2.0", id: seq, method: "tools/call", params: { name, arguments: args } }),
  });
  expect(res.status).toBe(200);
  const body = (await res.json()) as {
    result: { isError?: boolean; structuredContent?: any; content: { text: string }[] };
  };
  // Durable before the response: the row is readable as soon as the answer arrives, without flushing.
  const rows = (
    await app.ctx.store.client.execute({
      sql: "SELECT * FROM audit_log WHERE request_id = ? ORDER BY seq",
      args: [requestId],
    })
  ).rows;
  return { result: body.result, rows, requestId };
}

async function note(key: string): Promise<string | undefined> {
  const r = await app.ctx.store.client.execute({
    sql: "SELECT value FROM store_meta WHERE key = ?",
    args: [`note:${key}`],
  });
  return r.rows[0]?.value as string | undefined;
}

describe("every call audit-logged", () => {
  test("a successful read writes one ok row with user, tenant acted on, client, grant, latency and arguments", async () => {
    const { result, rows } = await call("tech", "fixture_read_tenant", { tenant_id: "fabrikam-law" });
    expect(result.isError).toBeUndefined();
    expect(rows).toHaveLength(1);
    const r = rows[0]!;
    expect(r.outcome).toBe("ok");
    expect(r.action).toBe("fixture.read_tenant");
    expect(r.tool).toBe("fixture_read_tenant");
    expect(r.surface).toBe("cavalier");
    expect(r.tenant_id).toBe("fabrikam-law");
    expect(r.client_id).toBe("cli_test");
    expect(r.grant_id).toBeTruthy();
    expect(Number(r.latency_ms)).toBeGreaterThanOrEqual(0);
    expect(JSON.parse(String(r.detail)).arguments).toEqual({ tenant_id: "fabrikam-law" });
  });

  test("invalid input is an isError result naming the parameter, audited invalid_input", async () => {
    const { result, rows } = await call("tech", "fixture_read_tenant", { tenant: "fabrikam-law" });
    expect(result.isError).toBe(true);
    expect(result.content[0]!.text).toContain("tenant_id");
    expect(rows.map((r) => r.outcome)).toEqual(["invalid_input"]);
  });

  test("a business rule is an isError result with what to change, audited tool_error", async () => {
    const { result, rows } = await call("tech", "fixture_strict", { n: 3 });
    expect(result.isError).toBe(true);
    expect(result.content[0]!.text).toContain("even");
    expect(rows.map((r) => r.outcome)).toEqual(["tool_error"]);
  });

  test("an unexpected crash is an isError result with the request id, never a 500; audited failed", async () => {
    const { result, rows, requestId } = await call("tech", "fixture_strict", { n: 666 });
    expect(result.isError).toBe(true);
    expect(result.content[0]!.text).toContain(requestId);
    expect(result.content[0]!.text).not.toContain("boom");
    expect(rows.map((r) => r.outcome)).toEqual(["failed"]);
  });

  test("secrets in arguments are redacted in the audit row", async () => {
    const { rows } = await call("tech", "fixture_write_note", {
      tenant_id: "contosocare",
      key: "redact",
      text: "x",
      confirmation_token: "cfm_secret_value",
    });
    expect(String(rows[0]!.detail)).not.toContain("cfm_secret_value");
  });
});

describe("cross-tenant calls rejected", () => {
  test("another MSP's tenant: not found or not permitted, audited denied_cross_tenant", async () => {
    const { result, rows } = await call("otter", "fixture_read_tenant", { tenant_id: "contosocare" });
    expect(result.isError).toBe(true);
    expect(result.content[0]!.text).toBe("not found or not permitted");
    expect(rows.map((r) => r.outcome)).toEqual(["denied_cross_tenant"]);
    expect(rows[0]!.tenant_id).toBe("contosocare");
  });

  test("a client-tenant user cannot reach a sibling client tenant, nor its MSP", async () => {
    for (const t of ["fabrikam-law", "harbor-it"]) {
      const { result, rows } = await call("staff", "fixture_read_tenant", { tenant_id: t });
      expect(result.content[0]!.text).toBe("not found or not permitted");
      expect(rows[0]!.outcome).toBe("denied_cross_tenant");
    }
    const own = await call("staff", "fixture_read_tenant", { tenant_id: "contosocare" });
    expect(own.result.isError).toBeUndefined();
  });

  test("a destructive tool across tenants proposes nothing and writes nothing", async () => {
    const { result, rows } = await call("otter", "fixture_write_note", {
      tenant_id: "contosocare",
      key: "xt",
      text: "x",
    });
    expect(result.content[0]!.text).toBe("not found or not permitted");
    expect(rows.map((r) => r.outcome)).toEqual(["denied_cross_tenant"]);
    const again = await call("otter", "fixture_write_note", {
      tenant_id: "contosocare",
      key: "xt",
      text: "x",
      confirmed: true,
    });
    expect(again.rows.map((r) => r.outcome)).toEqual(["denied_cross_tenant"]);
    expect(await note("xt")).toBeUndefined();
  });
});

describe("destructive tools require confirmation", () => {
  const args = { tenant_id: "contosocare", key: "flow", text: "hello" };

  test("without confirmation nothing runs and a bound, single-use token is proposed; confirmed: true alone then runs it once", async () => {
    const first = await call("tech", "fixture_write_note", args);
    const env = first.result.structuredContent;
    expect(env.status).toBe("confirmation_required");
    expect(env.summary).toContain("contosocare");
    expect(env.confirmation_token).toMatch(/^cfm_/);
    expect(Date.parse(env.expires_at)).toBe(now + app.config.oauth.confirmation_ttl_seconds * 1000);
    expect(first.rows.map((r) => r.outcome)).toEqual(["confirmation_required"]);
    expect(await note("flow")).toBeUndefined();
    // The token is stored only as its hash.
    const stored = await app.ctx.store.client.execute("SELECT token_hash FROM mcp_confirmations");
    expect(JSON.stringify(stored.rows)).not.toContain(env.confirmation_token);

    const second = await call("tech", "fixture_write_note", { ...args, confirmed: true });
    expect(second.result.structuredContent).toEqual({ key: "flow", stored: true });
    expect(second.rows.map((r) => r.outcome)).toEqual(["confirmed"]);
    expect(second.rows[0]!.confirms_id).toBe(first.rows[0]!.id);
    expect(await note("flow")).toBe("hello");

    // Used: replaying proposes afresh and runs nothing.
    const third = await call("tech", "fixture_write_note", {
      ...args,
      confirmed: true,
      confirmation_token: env.confirmation_token,
    });
    expect(third.result.structuredContent.status).toBe("confirmation_required");
    expect(third.result.structuredContent.summary).toContain("No pending confirmation matches");
    expect(third.rows.map((r) => r.outcome)).toEqual(["confirmation_required"]);
  });

  test("with the token: runs; a wrong token, changed arguments, another client or another user do not", async () => {
    const a = { tenant_id: "contosocare", key: "tok", text: "one" };
    const env = (await call("tech", "fixture_write_note", a)).result.structuredContent;
    const wrong = await call("tech", "fixture_write_note", { ...a, confirmed: true, confirmation_token: "cfm_forged" });
    expect(wrong.result.structuredContent.status).toBe("confirmation_required");
    const changed = await call("tech", "fixture_write_note", {
      ...a,
      text: "two",
      confirmed: true,
      confirmation_token: env.confirmation_token,
    });
    expect(changed.result.structuredContent.status).toBe("confirmation_required");
    const otherClient = await call("tech-other-client", "fixture_write_note", {
      ...a,
      confirmed: true,
      confirmation_token: env.confirmation_token,
    });
    expect(otherClient.result.structuredContent.status).toBe("confirmation_required");
    const otherUser = await call("admin", "fixture_write_note", {
      ...a,
      confirmed: true,
      confirmation_token: env.confirmation_token,
    });
    expect(otherUser.result.structuredContent.status).toBe("confirmation_required");
    expect(await note("tok")).toBeUndefined();
    const right = await call("tech", "fixture_write_note", {
      ...a,
      confirmed: true,
      confirmation_token: env.confirmation_token,
    });
    expect(right.result.structuredContent).toEqual({ key: "tok", stored: true });
    expect(await note("tok")).toBe("one");
  });

  test("bug: confirmed: true twice without a prior proposal ran the tool (the model approved itself); now only the token redeems it", async () => {
    const a = { tenant_id: "contosocare", key: "selfapprove", text: "x" };
    const first = await call("tech", "fixture_write_note", { ...a, confirmed: true });
    const env = first.result.structuredContent;
    expect(env.status).toBe("confirmation_required");
    expect(env.summary).toContain("confirmed: true alone will not run");
    expect(JSON.parse(String(first.rows[0]!.detail)).redeemable).toBe("with its token only");
    // Repeating the bare confirmation, however often, never runs the tool: it only proposes again.
    for (let i = 0; i < 3; i++) {
      const again = await call("tech", "fixture_write_note", { ...a, confirmed: true });
      expect(again.result.structuredContent.status).toBe("confirmation_required");
      expect(again.rows.map((r) => r.outcome)).toEqual(["confirmation_required"]);
    }
    expect(await note("selfapprove")).toBeUndefined();
    // With the token of that proposal (which the client passes back after the user saw it), it runs once.
    const right = await call("tech", "fixture_write_note", {
      ...a,
      confirmed: true,
      confirmation_token: env.confirmation_token,
    });
    expect(right.result.structuredContent).toEqual({ key: "selfapprove", stored: true });
    expect(right.rows.map((r) => r.outcome)).toEqual(["confirmed"]);
    expect(right.rows[0]!.confirms_id).toBe(first.rows[0]!.id);
    expect(await note("selfapprove")).toBe("x");
  });

  test("a proposal from a normal first call keeps the token-less path even after a token-required one exists", async () => {
    const a = { tenant_id: "contosocare", key: "mixed", text: "x" };
    await call("tech", "fixture_write_note", { ...a, confirmed: true }); // token-required proposal
    await call("tech", "fixture_write_note", a); // the user-visible proposal
    const r = await call("tech", "fixture_write_note", { ...a, confirmed: true });
    expect(r.result.structuredContent).toEqual({ key: "mixed", stored: true });
  });

  test("an expired confirmation does not run", async () => {
    const a = { tenant_id: "contosocare", key: "late", text: "x" };
    await call("tech", "fixture_write_note", a);
    now += (app.config.oauth.confirmation_ttl_seconds + 1) * 1000;
    const late = await call("tech", "fixture_write_note", { ...a, confirmed: true });
    expect(late.result.structuredContent.status).toBe("confirmation_required");
    expect(await note("late")).toBeUndefined();
  });

  test("two concurrent confirmed calls run the tool once", async () => {
    const a = { tenant_id: "contosocare", key: "race", text: "x" };
    await call("tech", "fixture_write_note", a);
    const [r1, r2] = await Promise.all([
      call("tech", "fixture_write_note", { ...a, confirmed: true }),
      call("tech", "fixture_write_note", { ...a, confirmed: true }),
    ]);
    const statuses = [r1.result.structuredContent?.stored, r2.result.structuredContent?.status].concat([
      r2.result.structuredContent?.stored,
      r1.result.structuredContent?.status,
    ]);
    expect(statuses.filter((s) => s === true)).toHaveLength(1);
    expect(statuses.filter((s) => s === "confirmation_required")).toHaveLength(1);
  });

  test("a failure after the business write rolls the write back; the audit row says tool_error", async () => {
    const a = { tenant_id: "contosocare", key: "rollback", text: "fail-after-write" };
    const p = await call("tech", "fixture_write_note", a);
    const r = await call("tech", "fixture_write_note", { ...a, confirmed: true });
    expect(r.result.isError).toBe(true);
    expect(r.rows.map((x) => x.outcome)).toEqual(["tool_error"]);
    expect(r.rows[0]!.confirms_id).toBe(p.rows[0]!.id);
    expect(await note("rollback")).toBeUndefined();
  });
});

describe("audit chain", () => {
  test("the chain verifies, and editing one row is named by verify", async () => {
    await app.ctx.audit.flush();
    const ok = await verifyAuditChain(app.ctx.store.client);
    expect(ok.ok).toBe(true);
    expect(ok.rows).toBeGreaterThan(10);
    const victim = (
      await app.ctx.store.client.execute(
        "SELECT seq, id FROM audit_log WHERE outcome = 'confirmed' ORDER BY seq LIMIT 1",
      )
    ).rows[0]!;
    await app.ctx.store.client.execute({
      sql: "UPDATE audit_log SET outcome = 'ok' WHERE seq = ?",
      args: [Number(victim.seq)],
    });
    const broken = await verifyAuditChain(app.ctx.store.client);
    expect(broken.ok).toBe(false);
    expect(broken.breaks).toEqual([
      { firstSeq: Number(victim.seq), lastSeq: Number(victim.seq), reason: "hash_mismatch" },
    ]);
  });
});

describe("tenant acted on", () => {
  test("a tenant named by its display name is recorded by id in the audit row", async () => {
    const { rows } = await call("otter", "fixture_read_tenant", { tenant_id: "ContosoCare Clinic" });
    expect(rows[0]!.tenant_id).toBe("contosocare");
  });
});
