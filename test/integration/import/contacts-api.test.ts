/**
 * `POST /api/import/contacts` on the admin listener over real HTTP: an admin API token or the browser session (with
 * its CSRF token), the admin's tenant scope, the all-or-nothing rule (a bad email on line 7 writes nothing and is
 * named by line and column), idempotence, the per-route size cap, and the data read back through
 * cavalier_list_contacts over the real MCP client.
 */
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { contactsKind } from "../../../src/import/kinds/contacts";
import { startTestAppliance, type TestAppliance } from "../../helpers/appliance";
import { obtainTokens } from "../../helpers/oauth";
import { call, connectSurface, ok } from "../../helpers/tool-calls";
import { auditRows, signInAdmin, type AdminSession } from "../admin/admin-session";

setDefaultTimeout(60_000);

const FIXTURES = join(import.meta.dir, "../../fixtures/import");
const good = readFileSync(join(FIXTURES, "contacts.csv"));
const badEmail = readFileSync(join(FIXTURES, "contacts-bad-email.csv"));

let app: TestAppliance;
let harbor: AdminSession;
let harborToken: string;
let otterToken: string;

interface ReportJson {
  ok: boolean;
  applied: boolean;
  dry_run: boolean;
  records: number;
  tenant_ids: string[];
  counts: { inserted: number; updated: number; unchanged: number };
  problems: { line?: number; column?: number; field?: string; message: string; text: string }[];
  file_sha256: string;
  audit_id: string | null;
}

async function post(path: string, body: BodyInit, headers: Record<string, string>) {
  const res = await fetch(`${app.adminUrl}${path}`, { method: "POST", body, headers });
  return {
    status: res.status,
    json: (await res.json()) as ReportJson & { error?: string; error_description?: string },
  };
}
const withToken = (token: string, path: string, body: BodyInit = good) =>
  post(path, body, { authorization: `Bearer ${token}`, "content-type": "text/csv" });

async function contactsDump(): Promise<string> {
  return JSON.stringify((await app.ctx.store.client.execute("SELECT * FROM cavalier_contacts ORDER BY id")).rows);
}

beforeAll(async () => {
  app = await startTestAppliance();
  harbor = await signInAdmin(app, "admin@harbor-it.example");
  harborToken = await harbor.createApiToken("harbor-import");
  otterToken = await (await signInAdmin(app, "admin@otter-msp.example")).createApiToken("otter-import");
});
afterAll(async () => {
  await app.close();
});

describe("POST /api/import/contacts", () => {
  test("a bad email on line 7 writes nothing; the 422 report names line 7, column 3 and what was expected", async () => {
    const before = await contactsDump();
    const { status, json } = await withToken(harborToken, "/api/import/contacts", badEmail);
    expect(status).toBe(422);
    expect(json.ok).toBe(false);
    expect(json.applied).toBe(false);
    expect(json.problems).toEqual([
      {
        line: 7,
        column: 3,
        field: "email",
        message: '"jo.brandt(at)fabrikam-law.example" is not an email address (name@example.com)',
        text: 'line 7, column 3 (email): "jo.brandt(at)fabrikam-law.example" is not an email address (name@example.com)',
      },
    ]);
    expect(await contactsDump()).toBe(before);
  });

  test("a dry run counts what would change and writes nothing", async () => {
    const before = await contactsDump();
    const { status, json } = await withToken(harborToken, "/api/import/contacts?dry_run=true");
    expect(status).toBe(200);
    expect(json).toMatchObject({ ok: true, dry_run: true, applied: false, records: 6 });
    // Luis Ortega is a demo contact with another title: an update; the five others are new.
    expect(json.counts).toEqual({ inserted: 5, updated: 1, unchanged: 0 });
    expect(json.tenant_ids.sort()).toEqual(["contosocare", "fabrikam-law", "tailspin-logistics"]);
    expect(await contactsDump()).toBe(before);
  });

  test("applied with the browser session, then cavalier_list_contacts shows them to the tenant's owner", async () => {
    const noCsrf = await post("/api/import/contacts", good, {
      cookie: harbor.jar.header(),
      "content-type": "text/csv",
    });
    expect(noCsrf.status).toBe(403);
    const { status, json } = await post("/api/import/contacts", good, {
      cookie: harbor.jar.header(),
      "x-csrf-token": harbor.csrf,
      "content-type": "text/csv",
    });
    expect(status).toBe(200);
    expect(json).toMatchObject({ ok: true, applied: true, counts: { inserted: 5, updated: 1, unchanged: 0 } });

    const tokens = await obtainTokens(app, { email: "owner@fabrikam-law.example", surface: "cavalier" });
    const client = await connectSurface(app, "cavalier", tokens.access_token);
    try {
      const listed = ok<{ items: { name: string; email: string; title: string; is_primary: boolean }[] }>(
        await call(client, "cavalier_list_contacts", { tenant_id: "fabrikam-law" }),
      );
      expect(listed.items).toContainEqual(
        expect.objectContaining({ name: "Morgan Lee", email: "morgan.lee@fabrikam-law.example", is_primary: true }),
      );
      expect(listed.items).toContainEqual(expect.objectContaining({ name: "Sam Okafor", title: "Paralegal" }));
    } finally {
      await client.close();
    }
  });

  test("the same file again changes nothing and says so", async () => {
    const before = await contactsDump();
    const { status, json } = await withToken(harborToken, "/api/import/contacts");
    expect(status).toBe(200);
    expect(json.counts).toEqual({ inserted: 0, updated: 0, unchanged: 6 });
    expect(await contactsDump()).toBe(before);
  });

  test("another MSP's tenants read like typos, nothing is written, and the attempt is audited denied_cross_tenant", async () => {
    const before = await contactsDump();
    const rows = await withToken(otterToken, "/api/import/contacts");
    expect(rows.status).toBe(422);
    expect(rows.json.problems[0]!.text).toStartWith(
      'line 2, column 1 (tenant): "contosocare": not found or not permitted',
    );
    const named = await withToken(otterToken, "/api/import/contacts?tenant=contosocare");
    expect(named.status).toBe(404);
    expect(named.json.error_description).toStartWith("not found or not permitted");
    expect(await contactsDump()).toBe(before);
    const audited = await auditRows(app, "action = 'import.contacts' AND outcome = 'denied_cross_tenant'");
    expect(audited).toHaveLength(2);
    expect(audited.every((r) => r.tenant_id === "otter-msp")).toBe(true);
  });

  test("caller mistakes are 4xx with a reason, never 500", async () => {
    expect((await withToken(harborToken, "/api/import/widgets")).status).toBe(404);
    expect((await withToken(harborToken, "/api/import/contacts?encoding=latin-2")).status).toBe(400);
    expect((await withToken(harborToken, "/api/import/contacts?full_scan=true")).status).toBe(400);
    const unknown = await withToken(harborToken, "/api/import/contacts", "tenant,name,email,mobile\n");
    expect(unknown.status).toBe(422);
    expect(unknown.json.problems[0]!.message).toBe(
      'unknown column "mobile"; the columns are tenant, name, email, title, phone, primary',
    );
    const anonymous = await fetch(`${app.adminUrl}/api/import/contacts`, { method: "POST", body: good });
    expect(anonymous.status).toBe(401);
  });

  test("a file over the kind's 5 MiB limit is refused with 413 while it streams in", async () => {
    const huge = new Uint8Array(contactsKind.maxBytes + 1).fill(0x41);
    const { status, json } = await withToken(harborToken, "/api/import/contacts", huge);
    expect(status).toBe(413);
    expect(json.error).toBe("too_large");
    // Admin forms keep their own 1 MiB cap although the listener now accepts import-sized bodies.
    const form = await fetch(`${app.adminUrl}/sign-in`, {
      method: "POST",
      body: `email=${"a".repeat(2 * 1024 * 1024)}`,
      headers: { "content-type": "application/x-www-form-urlencoded" },
    });
    expect(form.status).toBe(413);
  });
});
