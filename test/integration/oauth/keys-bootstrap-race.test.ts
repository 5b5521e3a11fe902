import { afterAll, expect, test } from "bun:test";
import { randomBytes } from "node:crypto";
import { rmSync } from "node:fs";
import { join } from "node:path";
import { KeyStore } from "../../../src/oauth/keys";
import { openStore, type Store } from "../../../src/store/index";
import { applyMigrations } from "../../../src/store/migrate";
import { tempDir } from "../../helpers/appliance";

/**
 * Regression (second review, M4): two appliance processes starting together on an empty database each saw no
 * signing key and each created an "active" one. Each store here is its own libSQL client, as two processes are.
 */
const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

test("concurrent first starts on one database create exactly one active signing key", async () => {
  for (let round = 0; round < 5; round++) {
    const dir = tempDir();
    dirs.push(dir);
    const url = `file:${join(dir, "keys.db")}`;
    const setup = await openStore(url);
    await applyMigrations(setup.client);
    setup.close();
    const stores: Store[] = await Promise.all([openStore(url), openStore(url), openStore(url)]);
    const master = randomBytes(32);
    try {
      await Promise.all(stores.map((s) => new KeyStore(s.db, master, Date.now).bootstrap()));
      const active = await stores[0]!.client.execute(
        "SELECT COUNT(*) AS n FROM oauth_signing_keys WHERE retired_at IS NULL",
      );
      expect(Number(active.rows[0]!.n)).toBe(1);
    } finally {
      for (const s of stores) s.close();
    }
  }
}, 60_000);
