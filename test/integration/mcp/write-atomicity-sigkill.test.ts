import { afterAll, expect, test } from "bun:test";
import { rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { verifyAuditChain } from "../../../src/audit/log";
import { parseConfigText } from "../../../src/config/load";
import { openStore } from "../../../src/store/index";
import { freePort, type TestAppliance, tempDir, testConfigToml } from "../../helpers/appliance";
import { obtainTokens } from "../../helpers/oauth";

/**
 * Regression: a `cavalier_create_deal` survived a SIGKILL with no audit row, because a non-destructive write
 * committed first and queued its row afterwards. A real `cavaridge serve` process takes a stream of concurrent
 * create_deal calls and is killed with SIGKILL mid-stream; in the database it leaves behind, every deal has its
 * `ok` audit row, every answered call's deal survived, and the chain verifies.
 */

const root = join(import.meta.dir, "../../..");
const dir = tempDir();
afterAll(() => rmSync(dir, { recursive: true, force: true }));

test("SIGKILL during a stream of create_deal calls leaves no deal without its audit row", async () => {
  const publicPort = await freePort();
  const adminPort = await freePort();
  const dbPath = join(dir, "sigkill.db");
  const toml = testConfigToml({ publicPort, adminPort, dbPath });
  const cfg = join(dir, "sigkill.toml");
  writeFileSync(cfg, toml);
  const proc = Bun.spawn([process.execPath, join(root, "src/main.ts"), "serve", "--config", cfg], {
    cwd: dir,
    stdout: "ignore",
    stderr: "ignore",
    env: { PATH: process.env.PATH ?? "/usr/bin:/bin" },
  });
  const baseUrl = `http://127.0.0.1:${publicPort}`;
  const answered: string[] = [];
  try {
    let ready = false;
    for (let i = 0; i < 150 && !ready; i++) {
      ready = await fetch(`${baseUrl}/readyz`).then(
        (r) => r.ok,
        () => false,
      );
      if (!ready) await Bun.sleep(100);
    }
    expect(ready).toBe(true);
    // The helpers need only the base URL and the config of the appliance they talk to.
    const remote = { baseUrl, config: parseConfigText(toml, "sigkill.toml") } as TestAppliance;
    const { access_token: token } = await obtainTokens(remote, {
      email: "admin@harbor-it.example",
      surface: "cavalier",
    });

    let n = 0;
    const createDeal = async (): Promise<void> => {
      const key = `sigkill-${++n}-${crypto.randomUUID()}`;
      const res = await fetch(`${baseUrl}/cavalier`, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          accept: "application/json, text/event-stream",
          authorization: `Bearer ${token}`,
        },
        body: JSON.stringify({
          jsonrpc: "2.0",
          id: n,
          method: "tools/call",
          params: {
            name: "cavalier_create_deal",
            arguments: { tenant_id: "contosocare", name: `Deal ${key}`, idempotency_key: key },
          },
        }),
      });
      const body = (await res.json()) as { result?: { isError?: boolean } };
      if (res.status === 200 && body.result && !body.result.isError) answered.push(key);
    };
    // Eight callers in a loop until the process dies under them; kill once a good number have been answered.
    const workers = Array.from({ length: 8 }, async () => {
      for (;;) await createDeal();
    });
    const settled = Promise.allSettled(workers);
    for (let i = 0; i < 200 && answered.length < 60; i++) await Bun.sleep(25);
    proc.kill("SIGKILL");
    await settled;
  } finally {
    proc.kill("SIGKILL");
    await proc.exited;
  }
  expect(answered.length).toBeGreaterThanOrEqual(20);

  const store = await openStore(`file:${dbPath}`);
  try {
    const deals = (
      await store.client.execute(
        "SELECT idempotency_key AS k FROM cavalier_deals WHERE idempotency_key LIKE 'sigkill-%'",
      )
    ).rows.map((r) => String(r.k));
    const audited = new Set(
      (
        await store.client.execute(
          "SELECT detail FROM audit_log WHERE action = 'cavalier.create_deal' AND outcome = 'ok'",
        )
      ).rows.map(
        (r) => (JSON.parse(String(r.detail)) as { arguments: { idempotency_key: string } }).arguments.idempotency_key,
      ),
    );
    expect(deals.filter((k) => !audited.has(k))).toEqual([]);
    expect(answered.filter((k) => !deals.includes(k))).toEqual([]);
    expect([...audited].filter((k) => !deals.includes(k))).toEqual([]);
    expect((await verifyAuditChain(store.client)).breaks).toEqual([]);
  } finally {
    store.close();
  }
}, 60_000);
