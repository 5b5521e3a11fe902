import { afterAll, beforeAll, expect, test } from "bun:test";
import { startTestAppliance, type TestAppliance } from "../../helpers/appliance";

/**
 * Regression (second review, M2): /readyz answered 200 while the disk was full and every tools/call failed, so a
 * load balancer kept routing to a node that could only fail. Readiness now includes a write.
 */
let app: TestAppliance;

beforeAll(async () => {
  app = await startTestAppliance({ env: { CAVARIDGE_DEMO_SEED: "off" } });
}, 60_000);

afterAll(async () => {
  await app?.close();
});

test("/readyz is 503 'store not writable' while writes fail, and ready again once they succeed", async () => {
  expect((await fetch(`${app.baseUrl}/readyz`)).status).toBe(200);
  await app.ctx.store.client.execute(
    "CREATE TRIGGER test_store_full BEFORE UPDATE ON store_meta BEGIN SELECT RAISE(ABORT, 'SQLITE_FULL: database or disk is full'); END",
  );
  try {
    await Bun.sleep(1100); // past the probe's reuse window
    const res = await fetch(`${app.baseUrl}/readyz`);
    expect(res.status).toBe(503);
    expect(await res.json()).toEqual({ status: "not_ready", reason: "store not writable" });
    expect((await fetch(`${app.adminUrl}/readyz`)).status).toBe(503);
    expect((await fetch(`${app.baseUrl}/healthz`)).status).toBe(200);
  } finally {
    await app.ctx.store.client.execute("DROP TRIGGER test_store_full");
  }
  await Bun.sleep(1100);
  expect((await fetch(`${app.baseUrl}/readyz`)).status).toBe(200);
});
