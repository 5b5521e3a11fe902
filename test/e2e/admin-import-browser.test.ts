import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { ARTIFACTS, launchTestBrowser, signInToAdmin, type TestBrowser } from "../helpers/chromium";
import { startTestAppliance, TEST_PASSWORD, type TestAppliance } from "../helpers/appliance";
import { obtainTokens } from "../helpers/oauth";
import { call, connectSurface, ok } from "../helpers/tool-calls";

/**
 * The admin Import page in real Chromium (as test/e2e/admin-browser.test.ts): choose the kind and tenant, upload
 * the Excel-exported catalog, read the dry-run report, apply, and find the products through cavalier_search_products;
 * then a contacts file with a bad email on line 7 shows the problem by line and column and writes nothing.
 * Screenshots land in test/artifacts/.
 */
const FIXTURES = join(import.meta.dir, "..", "fixtures", "import");

let app: TestAppliance;
let browser: TestBrowser;
let page: Page;

const shot = (name: string) => page.screenshot({ path: join(ARTIFACTS, `admin-import-${name}.png`), fullPage: true });
const count = (name: string) => page.textContent(`#import-counts td[data-count="${name}"]`);

beforeAll(async () => {
  app = await startTestAppliance();
  browser = await launchTestBrowser();
  page = browser.page;
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await app?.close();
});

describe("admin Import page in Chromium", () => {
  test("sign in and open Import from the navigation", async () => {
    await signInToAdmin(page, app.adminUrl, "admin@harbor-it.example", TEST_PASSWORD);
    await Promise.all([page.waitForURL("**/import"), page.click('nav a[href="/import"]')]);
    expect(await page.textContent("h1")).toBe("Import");
    await shot("form");
  }, 30_000);

  test("check the Excel catalog: the dry run reports counts and writes nothing; Apply imports it", async () => {
    const before = await app.ctx.store.client.execute("SELECT count(*) AS n FROM cavalier_products");
    await page.selectOption("#import-kind", "products");
    await page.selectOption("#import-tenant", "harbor-it");
    await page.setInputFiles("#import-file", join(FIXTURES, "products-excel.csv"));
    await Promise.all([page.waitForURL("**/import"), page.click("#import-check")]);
    expect(await page.getAttribute("#import-report", "data-outcome")).toBe("checked");
    expect(await count("inserted")).toBe("6");
    expect(await count("updated")).toBe("1");
    const after = await app.ctx.store.client.execute("SELECT count(*) AS n FROM cavalier_products");
    expect(after.rows[0]!.n).toBe(before.rows[0]!.n);
    // The form keeps what was chosen.
    expect(await page.inputValue("#import-tenant")).toBe("harbor-it");
    await shot("dry-run");

    await Promise.all([page.waitForURL("**/import/apply"), page.click("#import-apply")]);
    expect(await page.getAttribute("#import-report", "data-outcome")).toBe("applied");
    expect(await page.textContent("#import-report h2")).toContain("Imported into harbor-it");
    expect(await count("inserted")).toBe("6");
    await shot("applied");

    const tokens = await obtainTokens(app, { email: "admin@harbor-it.example", surface: "cavalier" });
    const client = await connectSurface(app, "cavalier", tokens.access_token);
    try {
      const found = ok<{ items: { sku: string }[] }>(
        await call(client, "cavalier_search_products", { query: "Security awareness" }),
      );
      expect(found.items.map((p) => p.sku)).toContain("SEC-AWARE-USR");
    } finally {
      await client.close();
    }
  }, 60_000);

  test("a contacts file with a bad email on line 7 shows line 7, column 3 and writes nothing", async () => {
    const before = JSON.stringify(
      (await app.ctx.store.client.execute("SELECT * FROM cavalier_contacts ORDER BY id")).rows,
    );
    await page.selectOption("#import-kind", "contacts");
    await page.selectOption("#import-tenant", "");
    await page.setInputFiles("#import-file", join(FIXTURES, "contacts-bad-email.csv"));
    await Promise.all([page.waitForURL("**/import"), page.click("#import-check")]);
    expect(await page.getAttribute("#import-report", "data-outcome")).toBe("problems");
    const cells = await page.locator("#import-problems tbody tr").first().locator("td").allTextContents();
    expect(cells).toEqual([
      "7",
      "3 (email)",
      '"jo.brandt(at)fabrikam-law.example" is not an email address (name@example.com)',
    ]);
    expect(await page.locator("#import-apply").count()).toBe(0);
    const after = JSON.stringify(
      (await app.ctx.store.client.execute("SELECT * FROM cavalier_contacts ORDER BY id")).rows,
    );
    expect(after).toBe(before);
    await shot("problems");
  }, 60_000);
});
