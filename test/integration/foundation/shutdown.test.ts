import { expect, test } from "bun:test";
import { connect } from "node:net";
import { startTestAppliance } from "../../helpers/appliance";

/**
 * Regression (second review, M3): one client that stalls mid-body held SIGTERM for ~30 s, past systemd's stop
 * timeout, so the process was killed before the store was closed. Shutdown now closes stragglers after a grace period.
 */
test("a client stalled mid-request cannot hold shutdown past the grace period; the audit log is flushed", async () => {
  const app = await startTestAppliance({ env: { CAVARIDGE_DEMO_SEED: "off" }, shutdownGraceMs: 500 });
  const socket = connect(app.publicPort, "127.0.0.1");
  await new Promise<void>((resolve) => socket.once("connect", () => resolve()));
  socket.on("error", () => {});
  socket.write(
    'POST /cavalier HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"jsonrpc"',
  );
  await Bun.sleep(100);
  const auditId = app.ctx.audit.record({ kind: "system", action: "test.before_shutdown", outcome: "ok" });
  const started = performance.now();
  await app.close();
  const elapsed = performance.now() - started;
  socket.destroy();
  expect(elapsed).toBeLessThan(5000);
  expect(await auditId).toMatch(/^aud_/);
}, 20_000);
