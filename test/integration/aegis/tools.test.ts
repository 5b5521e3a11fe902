import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { and, desc, eq } from "drizzle-orm";
import { createHash } from "node:crypto";
import { auditLog } from "../../../src/store/schema/audit";
import { aegisFindings } from "../../../src/store/schema/aegis";
import { startTestAppliance, type TestAppliance } from "../../helpers/appliance";
import { obtainTokens } from "../../helpers/oauth";
import { call, confirmed, connectSurface, errorText, ok } from "../../helpers/tool-calls";

/**
 * Every aegis tool over real HTTP with real OAuth tokens and the MCP SDK client, against the demo data the
 * appliance seeded at start: happy path, bad input, another MSP's user naming a Harbor object, missing scope.
 */

let app: TestAppliance;
let harbor: Client; // tech@harbor-it: aegis:read + aegis:write
let otter: Client; // admin@otter-msp: another MSP
let owner: Client; // owner@fabrikam-law: individual owner, own tenant only
let readOnlyToken: string;
let writeOnlyToken: string;
const NOT_PERMITTED = "not found or not permitted";
const DAY = 86_400_000;

const connect = (token: string): Promise<Client> => connectSurface(app, "aegis", token);

beforeAll(async () => {
  app = await startTestAppliance();
  const [h, o, f, r, w] = await Promise.all([
    obtainTokens(app, { email: "tech@harbor-it.example", surface: "aegis" }),
    obtainTokens(app, { email: "admin@otter-msp.example", surface: "aegis" }),
    obtainTokens(app, { email: "owner@fabrikam-law.example", surface: "aegis" }),
    obtainTokens(app, { email: "tech@harbor-it.example", surface: "aegis", scopes: ["aegis:read"] }),
    obtainTokens(app, { email: "tech@harbor-it.example", surface: "aegis", scopes: ["aegis:write"] }),
  ]);
  harbor = await connect(h.access_token);
  otter = await connect(o.access_token);
  owner = await connect(f.access_token);
  readOnlyToken = r.access_token;
  writeOnlyToken = w.access_token;
}, 60_000);

afterAll(async () => {
  await harbor?.close();
  await otter?.close();
  await owner?.close();
  await app?.close();
});

async function expectMissingScope(token: string, name: string, args: Record<string, unknown>, scope: string) {
  const res = await fetch(`${app.baseUrl}/aegis`, {
    method: "POST",
    headers: {
      authorization: `Bearer ${token}`,
      "content-type": "application/json",
      accept: "application/json, text/event-stream",
      "mcp-protocol-version": "2025-06-18",
    },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/call", params: { name, arguments: args } }),
  });
  expect(res.status).toBe(403);
  const challenge = res.headers.get("www-authenticate") ?? "";
  expect(challenge).toContain('error="insufficient_scope"');
  expect(challenge).toContain(scope);
  await res.body?.cancel();
}

async function lastAudit(tool: string) {
  const [row] = await app.ctx.store.db
    .select()
    .from(auditLog)
    .where(eq(auditLog.tool, tool))
    .orderBy(desc(auditLog.seq))
    .limit(1);
  return row;
}

type Finding = {
  id: string;
  tenant_id: string;
  status: string;
  severity: string;
  severity_id: number;
  history: { action: string; comment: string | null }[];
  assignee: string | null;
};

describe("aegis_list_tenants", () => {
  test("lists the caller's tenants with scores, worst first", async () => {
    const r = ok<{ items: { tenant_id: string; percent: number | null }[] }>(
      await call(harbor, "aegis_list_tenants", {}),
    );
    expect(r.items.map((t) => t.tenant_id).sort()).toEqual([
      "contosocare",
      "fabrikam-law",
      "harbor-it",
      "tailspin-logistics",
    ]);
    expect(r.items[0]!.tenant_id).toBe("contosocare");
  });
  test("bad input: undeclared argument", async () => {
    expect(errorText(await call(harbor, "aegis_list_tenants", { tenant: "x" }))).toContain("Invalid arguments");
    // Paged like every list tool: limit + next_cursor walk the same ranked list.
    const first = ok<{ items: { tenant_id: string }[]; next_cursor: string | null }>(
      await call(harbor, "aegis_list_tenants", { limit: 2 }),
    );
    expect(first.items).toHaveLength(2);
    expect(first.next_cursor).not.toBeNull();
    const rest = ok<{ items: { tenant_id: string }[]; next_cursor: string | null }>(
      await call(harbor, "aegis_list_tenants", { limit: 100, cursor: first.next_cursor }),
    );
    const all = ok<{ items: { tenant_id: string }[] }>(await call(harbor, "aegis_list_tenants", {}));
    expect([...first.items, ...rest.items].map((t) => t.tenant_id)).toEqual(all.items.map((t) => t.tenant_id));
    expect(rest.next_cursor).toBeNull();
    expect(errorText(await call(harbor, "aegis_list_tenants", { cursor: "bogus" }))).toBe(
      "invalid cursor; start again without one",
    );
  });
  test("another MSP sees none of Harbor's tenants", async () => {
    const r = ok<{ items: { tenant_id: string }[] }>(await call(otter, "aegis_list_tenants", {}));
    expect(r.items.map((t) => t.tenant_id).sort()).toEqual(["otter-client", "otter-msp"]);
  });
  test("missing scope", async () => expectMissingScope(writeOnlyToken, "aegis_list_tenants", {}, "aegis:read"));
});

describe("aegis_get_posture_summary", () => {
  test("score, categories and top improvement actions", async () => {
    const s = ok<{
      percent: number;
      by_category: { category: string }[];
      top_improvement_actions: { title: string; points_available: number }[];
      open_findings_total: number;
    }>(await call(harbor, "aegis_get_posture_summary", { tenant_id: "contosocare", top_actions: 3 }));
    expect(s.percent).toBeGreaterThan(30);
    expect(s.percent).toBeLessThan(50);
    expect(s.by_category).toHaveLength(5);
    expect(s.top_improvement_actions).toHaveLength(3);
    expect(s.top_improvement_actions[0]!.points_available).toBeGreaterThanOrEqual(
      s.top_improvement_actions[2]!.points_available,
    );
    expect(s.open_findings_total).toBeGreaterThan(3);
  });
  test("an individual owner gets their own tenant without naming it", async () => {
    const s = ok<{ tenant_id: string }>(await call(owner, "aegis_get_posture_summary", {}));
    expect(s.tenant_id).toBe("fabrikam-law");
  });
  test("bad input: tenant_id omitted when several tenants are possible, top_actions out of range", async () => {
    expect(errorText(await call(harbor, "aegis_get_posture_summary", {}))).toContain("tenant_id is required");
    expect(
      errorText(await call(harbor, "aegis_get_posture_summary", { tenant_id: "contosocare", top_actions: 99 })),
    ).toContain("top_actions");
  });
  test("cross-tenant: otter asking for contosocare, fabrikam's owner asking for contosocare", async () => {
    expect(errorText(await call(otter, "aegis_get_posture_summary", { tenant_id: "contosocare" }))).toStartWith(
      NOT_PERMITTED,
    );
    expect((await lastAudit("aegis_get_posture_summary"))?.outcome).toBe("denied_cross_tenant");
    expect(errorText(await call(owner, "aegis_get_posture_summary", { tenant_id: "contosocare" }))).toStartWith(
      NOT_PERMITTED,
    );
  });
  test("missing scope", async () =>
    expectMissingScope(writeOnlyToken, "aegis_get_posture_summary", { tenant_id: "contosocare" }, "aegis:read"));
});

describe("aegis_get_posture_trend", () => {
  test("Tailspin's 90-day improvement by month", async () => {
    const t = ok<{ points: unknown[]; start_percent: number; end_percent: number; interval: string }>(
      await call(harbor, "aegis_get_posture_trend", { tenant_id: "tailspin-logistics", interval: "month" }),
    );
    expect(t.interval).toBe("month");
    expect(t.points.length).toBeGreaterThanOrEqual(3);
    expect(t.end_percent - t.start_percent).toBeGreaterThan(25);
  });
  test("bad input: unparseable date, reversed period", async () => {
    expect(
      errorText(await call(harbor, "aegis_get_posture_trend", { tenant_id: "contosocare", from: "last tuesday" })),
    ).toContain("ISO 8601");
    expect(
      errorText(
        await call(harbor, "aegis_get_posture_trend", {
          tenant_id: "contosocare",
          from: "2026-06-01",
          to: "2026-01-01",
        }),
      ),
    ).toContain("before");
  });
  test("cross-tenant", async () => {
    expect(errorText(await call(otter, "aegis_get_posture_trend", { tenant_id: "tailspin-logistics" }))).toStartWith(
      NOT_PERMITTED,
    );
  });
  test("missing scope", async () => expectMissingScope(writeOnlyToken, "aegis_get_posture_trend", {}, "aegis:read"));
});

describe("aegis_list_findings", () => {
  test("filters by severity/status/class and paginates with next_cursor", async () => {
    const open = ok<{ items: Finding[]; total: number }>(
      await call(harbor, "aegis_list_findings", {
        tenant_id: "contosocare",
        status: ["New", "In Progress"],
        min_severity: "Medium",
      }),
    );
    expect(open.items.length).toBeGreaterThan(0);
    expect(open.items.every((f) => f.severity_id >= 3 && (f.status === "New" || f.status === "In Progress"))).toBe(
      true,
    );
    const detections = ok<{ items: { class_name: string }[] }>(
      await call(harbor, "aegis_list_findings", { class: ["detection"] }),
    );
    expect(detections.items.every((f) => f.class_name === "Detection Finding")).toBe(true);
    const byControl = ok<{ items: Finding[] }>(
      await call(harbor, "aegis_list_findings", { framework: "cis_m365_v5", control_ref: "1.1.3" }),
    );
    expect(byControl.items.map((f) => f.id)).toEqual(["fnd_fabrikam-law_global_admins"]);
    const first = ok<{ items: Finding[]; next_cursor: string | null; total: number }>(
      await call(harbor, "aegis_list_findings", { limit: 5 }),
    );
    expect(first.items).toHaveLength(5);
    expect(first.next_cursor).toBeString();
    const second = ok<{ items: Finding[] }>(
      await call(harbor, "aegis_list_findings", { limit: 5, cursor: first.next_cursor }),
    );
    expect(second.items.some((f) => first.items.some((g) => g.id === f.id))).toBe(false);
    expect(first.items[4]!.severity_id).toBeGreaterThanOrEqual(second.items[0]!.severity_id);
  });
  test("bad input: unknown severity, limit over 100, forged cursor", async () => {
    expect(errorText(await call(harbor, "aegis_list_findings", { severity: ["Severe"] }))).toContain("severity");
    expect(errorText(await call(harbor, "aegis_list_findings", { limit: 101 }))).toContain("limit");
    expect(errorText(await call(harbor, "aegis_list_findings", { cursor: "bm90LWEtY3Vyc29y" }))).toContain("cursor");
  });
  test("cross-tenant: naming a Harbor tenant is refused, listing shows nothing of Harbor's", async () => {
    expect(errorText(await call(otter, "aegis_list_findings", { tenant_id: "contosocare" }))).toStartWith(
      NOT_PERMITTED,
    );
    expect(ok<{ items: unknown[] }>(await call(otter, "aegis_list_findings", {})).items).toEqual([]);
  });
  test("missing scope", async () => expectMissingScope(writeOnlyToken, "aegis_list_findings", {}, "aegis:read"));
});

describe("aegis_get_finding", () => {
  test("resources, remediation, control and history", async () => {
    const f = ok<
      Finding & { resources: { name: string }[]; remediation: string; control: { control_ref: string } | null }
    >(await call(harbor, "aegis_get_finding", { finding_id: "fnd_contosocare_browser" }));
    expect(f.resources.map((r) => r.name)).toEqual(["CC-EXAM-04", "CC-FD-01", "CC-FD-02"]);
    expect(f.remediation).toContain("Chrome");
    expect(f.control?.control_ref).toBe("7.4");
    expect(f.history.map((h) => h.action)).toContain("acknowledged");
  });
  test("bad input: missing finding_id", async () => {
    expect(errorText(await call(harbor, "aegis_get_finding", {}))).toContain("finding_id");
  });
  test("cross-tenant: otter asking for a Harbor finding", async () => {
    expect(errorText(await call(otter, "aegis_get_finding", { finding_id: "fnd_contosocare_mfa_all" }))).toBe(
      NOT_PERMITTED,
    );
    const row = await lastAudit("aegis_get_finding");
    expect(row?.outcome).toBe("denied_cross_tenant");
    expect(errorText(await call(owner, "aegis_get_finding", { finding_id: "fnd_contosocare_mfa_all" }))).toBe(
      NOT_PERMITTED,
    );
  });
  test("missing scope", async () =>
    expectMissingScope(writeOnlyToken, "aegis_get_finding", { finding_id: "fnd_contosocare_mfa_all" }, "aegis:read"));
});

describe("aegis_list_controls / aegis_get_control", () => {
  test("controls with a tenant's standing; control detail with its findings", async () => {
    const l = ok<{ items: { control_ref: string; tenant_status: string }[] }>(
      await call(harbor, "aegis_list_controls", {
        tenant_id: "fabrikam-law",
        framework: "cis_m365_v5",
        status: "fail",
      }),
    );
    expect(l.items.map((c) => c.control_ref)).toContain("1.1.3");
    expect(l.items.every((c) => c.tenant_status === "fail")).toBe(true);
    const c = ok<{ title: string; rationale: string; findings: Finding[] }>(
      await call(harbor, "aegis_get_control", { framework: "cis_m365_v5", control_ref: "1.1.3" }),
    );
    expect(c.title).toContain("global admins");
    expect(c.findings.map((f) => f.id)).toEqual(["fnd_fabrikam-law_global_admins"]);
  });
  test("bad input: status without tenant, control without id or ref", async () => {
    expect(errorText(await call(harbor, "aegis_list_controls", { status: "fail" }))).toContain("tenant_id");
    expect(errorText(await call(harbor, "aegis_get_control", { framework: "cis_v8" }))).toContain("control_ref");
  });
  test("cross-tenant: the catalogue is shared, Harbor's findings are not", async () => {
    expect(errorText(await call(otter, "aegis_list_controls", { tenant_id: "fabrikam-law" }))).toStartWith(
      NOT_PERMITTED,
    );
    const c = ok<{ findings: unknown[] }>(
      await call(otter, "aegis_get_control", { framework: "cis_m365_v5", control_ref: "1.1.3" }),
    );
    expect(c.findings).toEqual([]);
  });
  test("missing scope", async () => {
    await expectMissingScope(writeOnlyToken, "aegis_list_controls", {}, "aegis:read");
    await expectMissingScope(writeOnlyToken, "aegis_get_control", { control_id: "ctl_v8_7_3" }, "aegis:read");
  });
});

describe("aegis_export_evidence", () => {
  test("CSV and OCSF JSON lines, each with its sha256", async () => {
    const csv = ok<{ content: string; sha256: string; format: string; included_count: number; truncated: boolean }>(
      await call(harbor, "aegis_export_evidence", { tenant_id: "tailspin-logistics", format: "csv" }),
    );
    expect(csv.content.split("\n")[0]).toStartWith("finding_id,uid,class,severity,status");
    expect(csv.sha256).toBe(createHash("sha256").update(csv.content).digest("hex"));
    expect(csv.truncated).toBe(false);
    const jsonl = ok<{ content: string; sha256: string; included_count: number }>(
      await call(harbor, "aegis_export_evidence", {
        tenant_id: "tailspin-logistics",
        format: "ocsf_jsonl",
        framework: "cis_win2022",
      }),
    );
    const events = jsonl.content
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as { class_uid: number; status: string; compliance: { control: string } });
    expect(events).toHaveLength(3);
    expect(events.every((e) => e.class_uid === 2003 && e.compliance.control.length > 0)).toBe(true);
    expect(jsonl.sha256).toBe(createHash("sha256").update(jsonl.content).digest("hex"));
  });
  test("bad input: unknown format", async () => {
    expect(
      errorText(await call(harbor, "aegis_export_evidence", { tenant_id: "contosocare", format: "pdf" })),
    ).toContain("format");
  });
  test("cross-tenant", async () => {
    expect(
      errorText(await call(otter, "aegis_export_evidence", { tenant_id: "contosocare", format: "csv" })),
    ).toStartWith(NOT_PERMITTED);
  });
  test("missing scope", async () =>
    expectMissingScope(writeOnlyToken, "aegis_export_evidence", { format: "csv" }, "aegis:read"));
});

describe("aegis_acknowledge_finding", () => {
  test("New -> In Progress, assigned, note in history", async () => {
    const f = ok<Finding>(
      await call(harbor, "aegis_acknowledge_finding", {
        finding_id: "fnd_contosocare_bitlocker",
        note: "Assigning BitLocker policy tonight",
        assignee_email: "tech@harbor-it.example",
      }),
    );
    expect(f.status).toBe("In Progress");
    expect(f.assignee).toBe("tech");
    expect(f.history[0]).toMatchObject({ action: "assigned" });
    expect(f.history[1]).toMatchObject({ action: "acknowledged", comment: "Assigning BitLocker policy tonight" });
  });
  test("bad input: unknown assignee, empty note, resolved finding", async () => {
    expect(
      errorText(
        await call(harbor, "aegis_acknowledge_finding", {
          finding_id: "fnd_contosocare_patch",
          note: "x",
          assignee_email: "admin@otter-msp.example",
        }),
      ),
    ).toContain("assignee_email");
    expect(
      errorText(await call(harbor, "aegis_acknowledge_finding", { finding_id: "fnd_contosocare_patch", note: "" })),
    ).toContain("note");
    expect(
      errorText(
        await call(harbor, "aegis_acknowledge_finding", { finding_id: "fnd_contosocare_ransom", note: "late note" }),
      ),
    ).toContain("reopen");
  });
  test("cross-tenant: otter cannot touch a Harbor finding, and nothing changes", async () => {
    expect(
      errorText(
        await call(otter, "aegis_acknowledge_finding", { finding_id: "fnd_contosocare_patch", note: "mine now" }),
      ),
    ).toBe(NOT_PERMITTED);
    const [row] = await app.ctx.store.db
      .select()
      .from(aegisFindings)
      .where(eq(aegisFindings.id, "fnd_contosocare_patch"));
    expect(row!.statusId).toBe(1);
  });
  test("missing scope", async () =>
    expectMissingScope(
      readOnlyToken,
      "aegis_acknowledge_finding",
      { finding_id: "fnd_contosocare_patch", note: "x" },
      "aegis:write",
    ));
});

describe("aegis_suppress_finding", () => {
  test("confirmation round-trip, then Suppressed with the expiry; both calls audited", async () => {
    const expires = new Date(Date.now() + 90 * DAY).toISOString();
    const { proposal, result } = await confirmed<Finding & { suppression: { reason: string; until: string } }>(
      harbor,
      "aegis_suppress_finding",
      {
        finding_id: "fnd_fabrikam-law_safe_attach",
        reason: "accepted_risk",
        justification: "Partners accept the delivery delay trade-off; reviewed with Fran Owner.",
        expires_at: expires,
      },
    );
    expect(proposal.summary).toContain("Suppress");
    expect(proposal.summary).toContain("fabrikam-law");
    expect(result.status).toBe("Suppressed");
    expect(result.suppression.reason).toBe("accepted_risk");
    const rows = await app.ctx.store.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.tool, "aegis_suppress_finding")))
      .orderBy(desc(auditLog.seq))
      .limit(2);
    expect(rows.map((r) => r.outcome)).toEqual(["confirmed", "confirmation_required"]);
  });
  test("repeating it with the same arguments adds a history entry, so it does not claim to be idempotent", async () => {
    const args = {
      finding_id: "fnd_fabrikam-law_anyone_links",
      reason: "accepted_risk",
      justification: "Partners share court bundles by link; reviewed quarterly.",
      expires_at: new Date(Date.now() + 60 * DAY).toISOString(),
    };
    const suppressions = (f: Finding) => f.history.filter((h) => h.action === "suppressed").length;
    const { result: once } = await confirmed<Finding>(harbor, "aegis_suppress_finding", args);
    const { result: twice } = await confirmed<Finding>(harbor, "aegis_suppress_finding", args);
    expect(twice.status).toBe("Suppressed");
    expect(suppressions(twice)).toBe(suppressions(once) + 1);
    const tool = (await harbor.listTools()).tools.find((t) => t.name === "aegis_suppress_finding")!;
    expect(tool.annotations?.idempotentHint).toBe(false);
  });
  test("bad input: expiry beyond 180 days is refused before anything is proposed", async () => {
    const res = await call(harbor, "aegis_suppress_finding", {
      finding_id: "fnd_contosocare_patch",
      reason: "accepted_risk",
      justification: "Client wants to wait a year.",
      expires_at: new Date(Date.now() + 200 * DAY).toISOString(),
    });
    expect(errorText(res)).toContain("180 days");
    expect(
      errorText(
        await call(harbor, "aegis_suppress_finding", {
          finding_id: "fnd_contosocare_patch",
          reason: "because",
          justification: "long enough text",
          expires_at: "2027-01-01",
        }),
      ),
    ).toContain("reason");
  });
  test("cross-tenant", async () => {
    const res = await call(otter, "aegis_suppress_finding", {
      finding_id: "fnd_contosocare_patch",
      reason: "false_positive",
      justification: "not ours to decide",
      expires_at: new Date(Date.now() + 10 * DAY).toISOString(),
    });
    expect(errorText(res)).toBe(NOT_PERMITTED);
  });
  test("missing scope", async () =>
    expectMissingScope(
      readOnlyToken,
      "aegis_suppress_finding",
      {
        finding_id: "fnd_contosocare_patch",
        reason: "accepted_risk",
        justification: "long enough text",
        expires_at: "2027-01-01",
      },
      "aegis:write",
    ));
});

describe("suppress and resolve proposals", () => {
  // Regression: proposals showed framework null, control_ref null and resource_count 0 for a finding with all three.
  test("show the finding's real framework, control reference and resource count", async () => {
    const detail = ok<{ resources: unknown[]; control: { framework: string; control_ref: string } }>(
      await call(harbor, "aegis_get_finding", { finding_id: "fnd_contosocare_browser" }),
    );
    expect(detail.control).not.toBeNull();
    expect(detail.resources.length).toBe(3);
    const expected = {
      framework: detail.control.framework,
      control_ref: detail.control.control_ref,
      resource_count: 3,
    };
    type Proposal = { status: string; summary: string; proposal: { finding: Record<string, unknown> } };
    const suppress = ok<Proposal>(
      await call(harbor, "aegis_suppress_finding", {
        finding_id: "fnd_contosocare_browser",
        reason: "third_party",
        justification: "The EHR vendor pins the browser version until their next release.",
        expires_at: new Date(Date.now() + 30 * DAY).toISOString(),
      }),
    );
    const resolve = ok<Proposal>(
      await call(harbor, "aegis_resolve_finding", {
        finding_id: "fnd_contosocare_browser",
        resolution_note: "Chrome updated on all three front-desk PCs",
      }),
    );
    for (const p of [suppress, resolve]) {
      expect(p.status).toBe("confirmation_required");
      expect(p.proposal.finding).toMatchObject(expected);
      expect(p.summary).toContain(`control ${expected.framework} ${expected.control_ref}, 3 affected resources`);
    }
    const c = ok<{ findings: { id: string; resource_count: number }[] }>(
      await call(harbor, "aegis_get_control", { framework: expected.framework, control_ref: expected.control_ref }),
    );
    expect(c.findings.find((f) => f.id === "fnd_contosocare_browser")?.resource_count).toBe(3);
  });
});

describe("aegis_resolve_finding / aegis_reopen_finding", () => {
  test("resolve with evidence (confirmed), then reopen", async () => {
    const { result } = await confirmed<Finding & { resolution: { note: string; evidence: string } }>(
      harbor,
      "aegis_resolve_finding",
      {
        finding_id: "fnd_tailspin-logistics_win_psl",
        resolution_note: "Script block logging enabled by GPO 'Servers - PowerShell logging'",
        evidence: "CHG-1107",
      },
    );
    expect(result.status).toBe("Resolved");
    expect(result.resolution.evidence).toBe("CHG-1107");
    const reopened = ok<Finding>(
      await call(harbor, "aegis_reopen_finding", {
        finding_id: "fnd_tailspin-logistics_win_psl",
        reason: "Wazuh still reports 4104 missing",
      }),
    );
    expect(reopened.status).toBe("New");
    expect(reopened.history[0]).toMatchObject({ action: "reopened", comment: "Wazuh still reports 4104 missing" });
  });
  test("bad input: resolving a resolved finding, reopening an open one, short note", async () => {
    // The preview refuses before any confirmation is proposed.
    expect(
      errorText(
        await call(harbor, "aegis_resolve_finding", {
          finding_id: "fnd_tailspin-logistics_mfa_all",
          resolution_note: "already done long ago",
        }),
      ),
    ).toContain("already Resolved");
    expect(
      errorText(await call(harbor, "aegis_reopen_finding", { finding_id: "fnd_contosocare_patch", reason: "why not" })),
    ).toContain("nothing to reopen");
    expect(
      errorText(
        await call(harbor, "aegis_resolve_finding", { finding_id: "fnd_contosocare_patch", resolution_note: "done" }),
      ),
    ).toContain("resolution_note");
  });
  test("cross-tenant", async () => {
    expect(
      errorText(
        await call(otter, "aegis_reopen_finding", { finding_id: "fnd_tailspin-logistics_mfa_all", reason: "mine" }),
      ),
    ).toBe(NOT_PERMITTED);
    expect(
      errorText(
        await call(otter, "aegis_resolve_finding", {
          finding_id: "fnd_contosocare_patch",
          resolution_note: "patched everything",
        }),
      ),
    ).toBe(NOT_PERMITTED);
  });
  test("missing scope", async () => {
    await expectMissingScope(
      readOnlyToken,
      "aegis_resolve_finding",
      { finding_id: "fnd_contosocare_patch", resolution_note: "patched everything" },
      "aegis:write",
    );
    await expectMissingScope(
      readOnlyToken,
      "aegis_reopen_finding",
      { finding_id: "fnd_contosocare_ransom", reason: "x" },
      "aegis:write",
    );
  });
});
