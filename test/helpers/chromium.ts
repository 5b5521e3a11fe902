import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium, type BrowserContext, type Page } from "playwright-core";

/** Debian's Chromium (installed by .ci/run); CAVARIDGE_CHROMIUM points elsewhere. */
export const CHROMIUM = process.env.CAVARIDGE_CHROMIUM ?? "/usr/bin/chromium";
/** Screenshots of the admin pages land here (git-ignored). */
export const ARTIFACTS = join(import.meta.dir, "..", "artifacts");

export interface TestBrowser {
  context: BrowserContext;
  page: Page;
  close(): Promise<void>;
}

/**
 * Real headless Chromium with a fresh profile directory per run (playwright passes it as --user-data-dir), the
 * network features that would reach outside the machine turned off. `close()` ends the browser and removes the profile.
 */
export async function launchTestBrowser(options: { acceptDownloads?: boolean } = {}): Promise<TestBrowser> {
  mkdirSync(ARTIFACTS, { recursive: true });
  const profile = mkdtempSync(join(tmpdir(), "cavaridge-chromium-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1360, height: 900 },
    ...(options.acceptDownloads ? { acceptDownloads: true } : {}),
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
  const page = context.pages()[0] ?? (await context.newPage());
  return {
    context,
    page,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** Signs in on the admin console's form as `email` (the test appliance's shared password) and waits for /connections. */
export async function signInToAdmin(page: Page, adminUrl: string, email: string, password: string): Promise<void> {
  await page.goto(`${adminUrl}/sign-in`);
  await page.fill('input[name="email"]', email);
  await page.fill('input[name="password"]', password);
  await Promise.all([page.waitForURL("**/connections"), page.click('button[type="submit"]')]);
}
