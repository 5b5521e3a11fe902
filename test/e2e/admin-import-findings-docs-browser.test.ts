import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { strToU8, zipSync } from "fflate";
import type { Page } from "playwright-core";
import { ARTIFACTS, launchTestBrowser, signInToAdmin, type TestBrowser } from "../helpers/chromium";
import { startTestAppliance, TEST_PASSWORD, type TestAppliance } from "../helpers/appliance";
import { obtainTokens } from "../helpers/oauth";
import { call, connectSurface, ok } from "../helpers/tool-calls";

/**
 * The admin Import page in real Chromium for the findings and docs kinds (as test/e2e/admin-import-browser.test.ts
 * does for products and contacts): Otter's admin checks and applies the two-scanner OCSF file and reads the posture
 * back through aegis_get_posture_summary; then a zip of the docs fixture's article and runbook is checked and
 * applied, and forge_search_knowledge finds them. Screenshots land in test/artifacts/.
 */
const FIXTURES = join(import.meta.dir, "..", "fixtures", "import");

let app: TestAppliance;
let browser: TestBrowser;
let page: Page;

const shot = (name: string) => page.screenshot({ path: join(ARTIFACTS, `admin-import-${name}.png`), fullPage: true });
const count = (name: string) => page.textContent(`#import-counts td[data-count="${name}"]`);

async function signIn(email: string) {
  await signInToAdmin(page, app.adminUrl, email, TEST_PASSWORD);
  await Promise.all([page.waitForURL("**/import"), page.click('nav a[href="/import"]')]);
}

beforeAll(async () => {
  app = await startTestAppliance();
  browser = await launchTestBrowser();
  page = browser.page;
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await app?.close();
});

describe("admin Import page in Chromium: findings and docs", () => {
  test("OCSF findings: check, apply, and the posture summary reads 1 of 33", async () => {
    await signIn("admin@otter-msp.example");
    await page.selectOption("#import-kind", "findings");
    await page.setInputFiles("#import-file", join(FIXTURES, "findings-ocsf-two-scanners.jsonl"));
    await Promise.all([page.waitForURL("**/import"), page.click("#import-check")]);
    expect(await page.getAttribute("#import-report", "data-outcome")).toBe("checked");
    expect(await count("inserted")).toBe("5");
    expect(await page.textContent("#import-report")).toContain("control 9.9.9 was not in the catalogue");
    await Promise.all([page.waitForURL("**/import/apply"), page.click("#import-apply")]);
    expect(await page.getAttribute("#import-report", "data-outcome")).toBe("applied");
    await shot("findings-applied");
    const tokens = await obtainTokens(app, { email: "admin@otter-msp.example", surface: "aegis" });
    const client = await connectSurface(app, "aegis", tokens.access_token);
    try {
      const s = ok<{ score: number; max_score: number }>(
        await call(client, "aegis_get_posture_summary", { tenant_id: "otter-client" }),
      );
      expect([s.score, s.max_score]).toEqual([1, 33]);
    } finally {
      await client.close();
    }
  }, 60_000);

  test("a zip of Markdown documents: check, apply, and forge_search_knowledge finds them", async () => {
    await browser.context.clearCookies();
    await signIn("admin@harbor-it.example");
    const tree = join(FIXTURES, "docs-tree");
    const zipPath = join(ARTIFACTS, "admin-import-kb.zip");
    writeFileSync(
      zipPath,
      zipSync({
        "kb/printer-offline.md": strToU8(readFileSync(join(tree, "kb/printer-offline.md"), "utf8")),
        "runbooks/new-starter-laptop.md": strToU8(readFileSync(join(tree, "runbooks/new-starter-laptop.md"), "utf8")),
      }),
    );
    await page.selectOption("#import-kind", "docs");
    await page.selectOption("#import-tenant", "harbor-it");
    await page.setInputFiles("#import-file", zipPath);
    await Promise.all([page.waitForURL("**/import"), page.click("#import-check")]);
    expect(await page.getAttribute("#import-report", "data-outcome")).toBe("checked");
    expect(await count("inserted")).toBe("2");
    await Promise.all([page.waitForURL("**/import/apply"), page.click("#import-apply")]);
    expect(await page.getAttribute("#import-report", "data-outcome")).toBe("applied");
    await shot("docs-applied");
    const tokens = await obtainTokens(app, { email: "admin@harbor-it.example", surface: "forge" });
    const client = await connectSurface(app, "forge", tokens.access_token);
    try {
      const hits = ok<{ items: { title: string; tenant_id: string }[] }>(
        await call(client, "forge_search_knowledge", { query: "new starter laptop autopilot" }),
      );
      expect(hits.items[0]).toMatchObject({ title: "New starter laptop handover", tenant_id: "contosocare" });
    } finally {
      await client.close();
    }
  }, 60_000);
});
