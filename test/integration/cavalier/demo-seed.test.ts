import { afterAll, describe, expect, test } from "bun:test";
import { rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { eq } from "drizzle-orm";
import { DEMO_SEED_MARKER } from "../../../src/demo/seed";
import { openStore } from "../../../src/store/index";
import { productPrices, quotes } from "../../../src/store/schema/cavalier";
import { storeMeta } from "../../../src/store/schema/tenancy";
import { startTestAppliance, tempDir, testConfigToml } from "../../helpers/appliance";

const root = join(import.meta.dir, "../../..");
const dir = tempDir();
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function cli(args: string[]) {
  const proc = Bun.spawn([process.execPath, join(root, "src/main.ts"), ...args], {
    cwd: dir,
    stdin: "ignore",
    stdout: "pipe",
    stderr: "pipe",
    env: { PATH: process.env.PATH ?? "/usr/bin:/bin" },
  });
  const [out, err, code] = await Promise.all([
    new Response(proc.stdout).text(),
    new Response(proc.stderr).text(),
    proc.exited,
  ]);
  return { out, err, code };
}

async function quoteCount(dbPath: string): Promise<number> {
  const store = await openStore(`file:${dbPath}`);
  try {
    return (await store.db.select({ id: quotes.id }).from(quotes)).length;
  } finally {
    store.close();
  }
}

describe("cavaridge demo seed", () => {
  test("seeds a fresh database, and a second run changes nothing", async () => {
    const dbPath = join(dir, "cli.db");
    const config = join(dir, "cli.toml");
    writeFileSync(config, testConfigToml({ publicPort: 18087, adminPort: 18088, dbPath }));
    const first = await cli(["demo", "seed", "--config", config]);
    expect(first.err).toBe("");
    expect(first.code).toBe(0);
    const count = await quoteCount(dbPath);
    expect(count).toBe(7);
    // Regression: a run reported the size of the demo data set whether or not it wrote anything. It reports the
    // rows it added, counted in the database.
    expect(first.out).toStartWith("demo data seeded: added ");
    expect(first.out).toContain(`${count} cavalier_quotes rows`);
    expect(first.out).toContain("the demo marker");
    const second = await cli(["demo", "seed", "--config", config]);
    expect(second.code).toBe(0);
    expect(second.out.trim()).toBe("demo data already seeded, nothing changed");
    expect(await quoteCount(dbPath)).toBe(count);

    // An operator deletes one demo product price: the next run puts back that row and says so, and only that.
    const store = await openStore(`file:${dbPath}`);
    try {
      await store.db
        .delete(productPrices)
        .where(eq(productPrices.id, (await store.db.select().from(productPrices))[0]!.id));
    } finally {
      store.close();
    }
    const third = await cli(["demo", "seed", "--config", config]);
    expect(third.code).toBe(0);
    expect(third.out.trim()).toBe("demo data seeded: added 1 cavalier_product_prices row");
  }, 60_000);

  test("refuses, with a reason, when the demo tenants are not configured", async () => {
    const dbPath = join(dir, "other.db");
    const config = join(dir, "other.toml");
    writeFileSync(
      config,
      `[server]\npublic_url = "http://127.0.0.1:18090"\n[database]\nurl = "file:${dbPath}"\n[secrets]\nmaster_key_file = "${dbPath}.key"\n[[tenants]]\nid = "acme-msp"\nname = "Acme"\nkind = "msp"\n`,
    );
    const r = await cli(["demo", "seed", "--config", config]);
    expect(r.code).toBe(1);
    expect(r.err).toContain("demo tenants not configured: harbor-it");
    expect(await quoteCount(dbPath)).toBe(0);
  }, 60_000);

  test("the start hook seeds an empty database once, and never when CAVARIDGE_DEMO_SEED=off", async () => {
    const off = await startTestAppliance({ env: { CAVARIDGE_DEMO_SEED: "off" } });
    try {
      expect((await off.ctx.store.db.select({ id: quotes.id }).from(quotes)).length).toBe(0);
      expect(await off.ctx.store.db.select().from(storeMeta).where(eq(storeMeta.key, DEMO_SEED_MARKER))).toEqual([]);
    } finally {
      await off.close();
    }
    const keep = tempDir();
    const on = await startTestAppliance({ dir: keep });
    try {
      expect((await on.ctx.store.db.select({ id: quotes.id }).from(quotes)).length).toBe(7);
      // An operator voids a demo quote and removes the marker: restarting must not re-seed over business data.
      await on.ctx.store.db.update(quotes).set({ status: "void" }).where(eq(quotes.id, "q_demo_0042_v1"));
      await on.ctx.store.db.delete(storeMeta).where(eq(storeMeta.key, DEMO_SEED_MARKER));
    } finally {
      await on.close();
    }
    const again = await startTestAppliance({ dir: keep });
    try {
      const [q] = await again.ctx.store.db.select().from(quotes).where(eq(quotes.id, "q_demo_0042_v1"));
      expect(q!.status).toBe("void");
      expect(await again.ctx.store.db.select().from(storeMeta).where(eq(storeMeta.key, DEMO_SEED_MARKER))).toEqual([]);
    } finally {
      await again.close();
      rmSync(keep, { recursive: true, force: true });
    }
  }, 60_000);
});
