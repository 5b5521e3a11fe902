import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { ARTIFACTS, launchTestBrowser, type TestBrowser } from "../helpers/chromium";
import { userIdForEmail } from "../../src/tenancy/sync";
import { startTestAppliance, TEST_PASSWORD, type TestAppliance } from "../helpers/appliance";
import { obtainTokens, registerTestClient, type Tokens } from "../helpers/oauth";

/**
 * The admin console in real Chromium (Debian's package; .ci/run installs it): sign in, see a connection made by
 * a real OAuth flow, revoke it and watch the next MCP call fail, filter the audit log, export it, open the
 * servers page. Screenshots of every page land in test/artifacts/ for a person to look at.
 */

let app: TestAppliance;
let browser: TestBrowser;
let page: Page;
let tokens: Tokens;
let offset = 0;

async function mcp(token: string, method: string, params: unknown = {}) {
  const res = await fetch(`${app.baseUrl}/cavalier`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      accept: "application/json, text/event-stream",
      authorization: `Bearer ${token}`,
    },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }),
  });
  await res.text();
  return res.status;
}

async function shot(name: string) {
  await page.screenshot({ path: join(ARTIFACTS, `admin-${name}.png`), fullPage: true });
}

beforeAll(async () => {
  app = await startTestAppliance({ clock: () => Date.now() + offset });

  // A day of call history by a ChatGPT connector, written through the real audit log at earlier times, so the
  // chart has a shape. (The clock is the appliance's own: rows get the times they would have had.)
  offset = -21 * 3_600_000;
  const chatgpt = await registerTestClient(app, { client_name: "ChatGPT" });
  const owner = userIdForEmail("owner@fabrikam-law.example");
  const staff = userIdForEmail("staff@contosocare.example");
  const outcomes = [
    "ok",
    "ok",
    "ok",
    "ok",
    "tool_error",
    "ok",
    "confirmation_required",
    "ok",
    "invalid_input",
    "ok",
    "denied_cross_tenant",
  ];
  let proposal: string | null = null;
  for (let h = 20; h >= 1; h--) {
    offset = -h * 3_600_000;
    const n = 2 + ((h * 7) % 6);
    for (let i = 0; i < n; i++) {
      const outcome = outcomes[(h + i) % outcomes.length]!;
      const cav = (h + i) % 3 !== 0;
      const tool = cav
        ? outcome === "confirmation_required"
          ? "cavalier.create_quote"
          : "cavalier.list_deals"
        : "aegis.list_findings";
      const id = await app.ctx.audit.record({
        kind: "mcp",
        surface: cav ? "cavalier" : "aegis",
        tool,
        action: tool,
        outcome,
        userId: cav ? owner : staff,
        tenantId: cav ? "fabrikam-law" : "contosocare",
        clientId: chatgpt.client_id,
        latencyMs: 5 + ((h * 13 + i * 7) % 40),
        detail: { tenant_id: cav ? "fabrikam-law" : "contosocare", limit: 20 },
      });
      if (tool === "cavalier.create_quote") proposal = id;
    }
  }
  offset = -30 * 60_000;
  await app.ctx.audit.record({
    kind: "mcp",
    surface: "cavalier",
    tool: "cavalier.create_quote",
    action: "cavalier.create_quote",
    outcome: "confirmed",
    userId: owner,
    tenantId: "fabrikam-law",
    clientId: chatgpt.client_id,
    latencyMs: 48,
    confirmsId: proposal,
    detail: {
      tenant_id: "fabrikam-law",
      deal_id: "deal_fabrikam_security",
      lines: [{ sku: "SEC-EDR-DEV", quantity: 25 }],
      confirmation_token: "secret-token",
    },
  });
  offset = 0;

  // Now: real OAuth flows (register, sign in, consent, code + PKCE exchange) make the connections the admin will see.
  tokens = await obtainTokens(app, {
    email: "owner@fabrikam-law.example",
    surface: "cavalier",
    client: await registerTestClient(app, { client_name: "Claude" }),
  });
  await obtainTokens(app, { email: "staff@contosocare.example", surface: "aegis", client: chatgpt });
  expect(await mcp(tokens.access_token, "tools/list")).toBe(200);
  await app.ctx.audit.flush();

  browser = await launchTestBrowser({ acceptDownloads: true });
  page = browser.page;
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await app?.close();
});

describe("admin console in Chromium", () => {
  test("sign in", async () => {
    await page.goto(app.adminUrl);
    expect(new URL(page.url()).pathname).toBe("/sign-in");
    await shot("sign-in");
    await page.fill('input[name="email"]', "admin@harbor-it.example");
    await page.fill('input[name="password"]', TEST_PASSWORD);
    await Promise.all([page.waitForURL("**/connections"), page.click('button[type="submit"]')]);
    expect(await page.textContent(".who")).toContain("MSP admin");
    const cookies = await page.context().cookies();
    const session = cookies.find((c) => c.name === "cavaridge_admin")!;
    expect(session.httpOnly).toBe(true);
    expect(session.sameSite).toBe("Strict");
  }, 30_000);

  test("see the connection made by the real OAuth flow, revoke it, and the next MCP call fails", async () => {
    const row = page.locator(`tr[data-grant="${tokens.grant_id}"]`);
    await expect(row.count()).resolves.toBe(1);
    const text = (await row.textContent()) ?? "";
    expect(text).toContain("owner@fabrikam-law.example");
    expect(text).toContain("Fabrikam Law LLP");
    expect(text).toContain("Claude");
    expect(text).toContain("cavalier:write");
    await shot("connections");

    expect(await mcp(tokens.access_token, "tools/list")).toBe(200);
    page.once("dialog", (d) => void d.accept());
    await Promise.all([
      page.waitForURL("**/connections?notice=revoked"),
      row.locator("button", { hasText: "Revoke" }).click(),
    ]);
    expect(await page.textContent(".notice")).toContain("Connection revoked");
    expect(await page.locator(`tr[data-grant="${tokens.grant_id}"]`).count()).toBe(0);
    expect(await mcp(tokens.access_token, "tools/list")).toBe(401);
    await shot("connections-revoked");
  }, 30_000);

  test("filter the audit log, open a row, follow its confirmation link", async () => {
    await page.goto(`${app.adminUrl}/audit`);
    expect(await page.textContent(".page-head")).toContain("Chain intact");
    expect(await page.locator("figure.chart svg rect").count()).toBeGreaterThan(10);
    await shot("audit");
    const all = await page.locator("#audit-rows tbody tr").count();
    await Promise.all([page.waitForURL(/surface=aegis/), page.selectOption('select[name="surface"]', "aegis")]);
    const surfaces = await page.locator("#audit-rows tbody tr td:nth-child(2)").allTextContents();
    expect(surfaces.length).toBeGreaterThan(0);
    expect(surfaces.length).toBeLessThan(all);
    expect(surfaces.every((s) => s.trim() === "aegis")).toBe(true);
    await shot("audit-filtered");

    await page.goto(`${app.adminUrl}/audit?outcome=confirmed`);
    await Promise.all([page.waitForURL(/\/audit\/aud_/), page.locator("#audit-rows tbody tr a").first().click()]);
    const detail = (await page.textContent("main")) ?? "";
    expect(detail).toContain("cavalier.create_quote");
    expect(detail).toContain("SEC-EDR-DEV");
    expect(detail).toContain("[redacted]");
    expect(detail).not.toContain("secret-token");
    await shot("audit-detail");
    await Promise.all([page.waitForURL(/\/audit\/aud_/), page.click("#confirms-link")]);
    expect(await page.textContent("h1")).toContain("confirmation_required");
  }, 30_000);

  test("export the filtered audit log as CSV and JSON lines", async () => {
    await page.goto(`${app.adminUrl}/audit?range=24h&surface=aegis`);
    const [csv] = await Promise.all([page.waitForEvent("download"), page.click("#export-csv")]);
    expect(csv.suggestedFilename()).toMatch(/^cavaridge-audit-.*\.csv$/);
    const lines = readFileSync((await csv.path())!, "utf8")
      .trimEnd()
      .split("\r\n");
    expect(lines[0]).toStartWith("id,seq,at,kind,action,outcome,surface");
    expect(lines.length).toBeGreaterThan(1);
    expect(lines.slice(1).every((l) => l.includes(",aegis,"))).toBe(true);
    const [jsonl] = await Promise.all([page.waitForEvent("download"), page.click("#export-jsonl")]);
    const objs = readFileSync((await jsonl.path())!, "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as { surface: string });
    expect(objs.length).toBe(lines.length - 1);
    expect(objs.every((o) => o.surface === "aegis")).toBe(true);
  }, 30_000);

  test("open the servers page", async () => {
    await page.click('nav a[href="/servers"]');
    await page.waitForURL("**/servers");
    const cavalier = (await page.textContent("#surface-cavalier")) ?? "";
    expect(cavalier).toContain(`${app.config.server.public_url}/cavalier`);
    expect(cavalier).toContain("/.well-known/oauth-protected-resource/cavalier");
    expect(cavalier).toContain("Enabled");
    await shot("servers");
  }, 30_000);

  test("tenants & users and API tokens pages render", async () => {
    await page.goto(`${app.adminUrl}/tenants`);
    const tenantsText = (await page.textContent("main")) ?? "";
    expect(tenantsText).toContain("ContosoCare Clinic");
    expect(tenantsText).not.toContain("Otter");
    await shot("tenants");
    await page.goto(`${app.adminUrl}/tokens`);
    await page.fill('input[name="name"]', "monitoring");
    await page.click('form[action="/tokens"] button[type="submit"]');
    const token = (await page.textContent("#new-token")) ?? "";
    expect(token).toStartWith("cvadm_");
    await shot("tokens");
    const res = await fetch(`${app.adminUrl}/api/mcp/servers`, { headers: { authorization: `Bearer ${token}` } });
    expect(res.status).toBe(200);
  }, 30_000);

  test("sign out", async () => {
    await Promise.all([page.waitForURL("**/sign-in"), page.click(".who button")]);
    await page.goto(`${app.adminUrl}/connections`);
    expect(new URL(page.url()).pathname).toBe("/sign-in");
  }, 30_000);
});
