/**
 * `findings` imports end to end: a real CLI process and the admin JSON API into a running appliance, read back with
 * aegis_list_findings and aegis_get_posture_summary over the real MCP client. The OCSF file carries Compliance (2003)
 * and Detection (2004) findings from two scanners (Prowler and Wazuh) for Otter Client Co, which has no demo
 * findings, so the posture is the hand-computed one of README "Posture follows the data": 1 of 33 after the first
 * import, 11 of 33 once Wazuh's full rescan resolves the ransomware detection.
 */
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { join } from "node:path";
import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { startTestAppliance, type TestAppliance } from "../../helpers/appliance";
import { type CliRun, importCliFor } from "../../helpers/cli-process";
import { obtainTokens } from "../../helpers/oauth";
import { call, confirmed, connectSurface, ok } from "../../helpers/tool-calls";
import { type AdminSession, bearer, signInAdmin } from "../admin/admin-session";

setDefaultTimeout(60_000);

const FIXTURES = join(import.meta.dir, "../../fixtures/import");
let app: TestAppliance;
let otterAegis: Client;
let otterAdmin: AdminSession;
let harborAdmin: AdminSession;

let cli: (args: string[]) => Promise<CliRun>;

/** Every row of the aegis tables an import writes, in a stable order. */
async function aegisDump(): Promise<string> {
  const tables = [
    "aegis_findings",
    "aegis_controls",
    "aegis_resources",
    "aegis_finding_resources",
    "aegis_finding_events",
    "aegis_posture_snapshots",
    "aegis_improvement_actions",
  ];
  const out: unknown[] = [];
  for (const t of tables) out.push((await app.ctx.store.client.execute(`SELECT * FROM ${t} ORDER BY rowid`)).rows);
  return JSON.stringify(out);
}

async function lastImportAudit() {
  await app.ctx.audit.flush();
  const rs = await app.ctx.store.client.execute(
    "SELECT outcome, tenant_id, detail FROM audit_log WHERE action = 'import.findings' ORDER BY seq DESC LIMIT 1",
  );
  const r = rs.rows[0]!;
  return { outcome: String(r.outcome), tenantId: r.tenant_id, detail: JSON.parse(String(r.detail)) };
}

type Posture = { score: number; max_score: number; top_improvement_actions: { title: string }[] };
const posture = async () =>
  ok<Posture>(await call(otterAegis, "aegis_get_posture_summary", { tenant_id: "otter-client" }));

beforeAll(async () => {
  app = await startTestAppliance();
  cli = importCliFor(app);
  const tokens = await obtainTokens(app, { email: "admin@otter-msp.example", surface: "aegis" });
  otterAegis = await connectSurface(app, "aegis", tokens.access_token);
  otterAdmin = await signInAdmin(app, "admin@otter-msp.example");
  harborAdmin = await signInAdmin(app, "admin@harbor-it.example");
});
afterAll(async () => {
  await otterAegis?.close();
  await app?.close();
});

describe("cavaridge import findings", () => {
  test("a bad file names every problem by line and JSON pointer and leaves the aegis tables byte for byte", async () => {
    const before = await aegisDump();
    const run = await cli(["findings", join(FIXTURES, "findings-ocsf-bad.jsonl")]);
    expect(run.code).toBe(1);
    expect(run.err).toContain("4 problems, nothing written");
    expect(run.err).toContain("line 2, at /class_uid: class_uid must be one of 2002, 2003, 2004 (was 2005)");
    expect(run.err).toContain("line 3, at /severity_id: severity_id must be one of 0, 1, 2, 3, 4, 5, 6, 99 (was 7)");
    expect(run.err).toContain("line 4, at /finding_info/uid: finding_info.uid must be a string (was missing)");
    expect(run.err).toContain("line 5: not valid JSON");
    expect(await aegisDump()).toBe(before);
    expect((await lastImportAudit()).outcome).toBe("invalid_input");
  });

  test("a dry run counts, writes nothing", async () => {
    const before = await aegisDump();
    const run = await cli(["findings", join(FIXTURES, "findings-ocsf-two-scanners.jsonl"), "--dry-run"]);
    expect(run.code).toBe(0);
    expect(run.out).toContain("would insert 5, update 0, leave 0 unchanged");
    expect(await aegisDump()).toBe(before);
  });

  test("two scanners import; aegis_list_findings and the posture summary show them", async () => {
    const run = await cli(["findings", join(FIXTURES, "findings-ocsf-two-scanners.jsonl")]);
    expect(run.err).toBe("");
    expect(run.code).toBe(0);
    expect(run.out).toContain("5 inserted, 0 updated, 0 unchanged");
    expect(run.out).toContain('control 9.9.9 was not in the catalogue: created under framework "Otter Baseline 2026"');
    const audit = await lastImportAudit();
    expect(audit).toMatchObject({ outcome: "ok", tenantId: "otter-client" });
    expect(audit.detail).toMatchObject({
      actor: "cli",
      counts: { inserted: 5, updated: 0, unchanged: 0 },
      created_controls: [{ framework: "Otter Baseline 2026", controlRef: "9.9.9" }],
    });

    const list = ok<{ items: { uid: string; source: string; status: string; class_name: string }[] }>(
      await call(otterAegis, "aegis_list_findings", { tenant_id: "otter-client", limit: 50 }),
    );
    expect(list.items.map((f) => `${f.source}/${f.uid}/${f.status}`).sort()).toEqual([
      "Prowler/prowler-otter-9.9.9/New",
      "Prowler/prowler-ss-adminmfa/New",
      "Prowler/shared-001/Resolved",
      "Wazuh/shared-001/New",
      "Wazuh/wazuh-5710/New",
    ]);
    const p = await posture();
    expect([p.score, p.max_score]).toEqual([1, 33]);
    // The Secure Score MFA control: 10 control points + 6 for its High finding.
    expect(p.top_improvement_actions[0]!.title).toBe(
      "Ensure multifactor authentication is enabled for all users in administrative roles",
    );
  });

  test("the same file again changes nothing and says so", async () => {
    const before = await aegisDump();
    const run = await cli(["findings", join(FIXTURES, "findings-ocsf-two-scanners.jsonl")]);
    expect(run.code).toBe(0);
    expect(run.out).toContain("nothing changed: all 5 already as in the file");
    expect(await aegisDump()).toBe(before);
  });
});

describe("POST /api/import/findings", () => {
  test("another MSP's admin naming Otter's tenant is refused per record and audited denied_cross_tenant", async () => {
    const token = await harborAdmin.createApiToken("harbor-import");
    const before = await aegisDump();
    const res = await fetch(`${app.adminUrl}/api/import/findings`, {
      method: "POST",
      ...bearer(token),
      body: Bun.file(join(FIXTURES, "findings-ocsf-wazuh-rescan.json")),
    });
    expect(res.status).toBe(422);
    const body = (await res.json()) as { problems: { pointer: string; message: string }[] };
    expect(body.problems[0]!.pointer).toBe("/0/metadata/tenant_uid");
    expect(body.problems[0]!.message).toContain("not found or not permitted");
    expect(await aegisDump()).toBe(before);
    expect((await lastImportAudit()).outcome).toBe("denied_cross_tenant");
  });

  test("a client tenant's owner may not add controls to the shared catalogue", async () => {
    const owner = await signInAdmin(app, "owner@fabrikam-law.example");
    const token = await owner.createApiToken("owner-import");
    const record = {
      class_uid: 2003,
      severity_id: 3,
      time: Date.parse("2026-11-20T08:00:00Z"),
      metadata: { version: "1.3.0", product: { name: "Prowler" } },
      finding_info: { uid: "fab-1", title: "A check of a private framework" },
      compliance: { standards: ["Fabrikam Internal"], control: "F-1", status_id: 3 },
    };
    const before = await aegisDump();
    const res = await fetch(`${app.adminUrl}/api/import/findings?tenant=fabrikam-law`, {
      method: "POST",
      ...bearer(token),
      body: JSON.stringify(record),
    });
    expect(res.status).toBe(422);
    const body = (await res.json()) as { problems: { message: string }[] };
    expect(body.problems[0]!.message).toContain("only MSP staff may add controls");
    expect(await aegisDump()).toBe(before);
  });

  test("full_scan=true: Wazuh's rescan resolves the detection it no longer reports; the score moves to 11 of 33", async () => {
    const token = await otterAdmin.createApiToken("otter-import");
    const res = await fetch(`${app.adminUrl}/api/import/findings?full_scan=true`, {
      method: "POST",
      ...bearer(token),
      body: Bun.file(join(FIXTURES, "findings-ocsf-wazuh-rescan.json")),
    });
    expect(res.status).toBe(200);
    const report = (await res.json()) as { counts: unknown; notes: string[] };
    expect(report.counts).toEqual({ inserted: 0, updated: 2, unchanged: 0 });
    expect(report.notes).toContain("resolved by scan: Wazuh shared-001 (otter-client) is no longer in the full scan");
    const p = await posture();
    expect([p.score, p.max_score]).toEqual([11, 33]);
  });

  test("a finding resolved through aegis and detected again reopens, and the import's audit row names it", async () => {
    const list = ok<{ items: { id: string; uid: string }[] }>(
      await call(otterAegis, "aegis_list_findings", { tenant_id: "otter-client", query: "Administrators" }),
    );
    const mfa = list.items.find((f) => f.uid === "prowler-ss-adminmfa")!;
    await confirmed(otterAegis, "aegis_resolve_finding", {
      finding_id: mfa.id,
      resolution_note: "Conditional Access now requires MFA for admins",
    });
    // Resolving moved the score at once: +16.
    expect((await posture()).score).toBe(27);
    const run = await cli(["findings", join(FIXTURES, "findings-ocsf-two-scanners.jsonl")]);
    expect(run.code).toBe(0);
    expect(run.out).toContain(
      "reopened: Prowler prowler-ss-adminmfa (otter-client) was resolved and is detected again",
    );
    const audit = await lastImportAudit();
    expect(audit.detail.reopened).toEqual([
      { tenantId: "otter-client", source: "Prowler", uid: "prowler-ss-adminmfa" },
      { tenantId: "otter-client", source: "Wazuh", uid: "shared-001" },
    ]);
    const detail = ok<{ status: string; history: { action: string; actor: string }[] }>(
      await call(otterAegis, "aegis_get_finding", { finding_id: mfa.id }),
    );
    expect(detail.status).toBe("New");
    expect(detail.history[0]).toMatchObject({ action: "reopened" });
    expect(detail.history[0]!.actor).toStartWith("cli:");
    expect((await posture()).score).toBe(1);
  });
});
