import { afterAll, expect, test } from "bun:test";
import { rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { freePort, tempDir, testConfigToml } from "../../helpers/appliance";
import { KeepAliveClient } from "../../helpers/raw-http";

/**
 * Regression: under keep-alive load, requests that arrived just after SIGTERM got ECONNRESET: no answer, no audit row,
 * and a POST client could not tell whether its call ran. During the grace period every request the server has read
 * now gets an answer: it finishes, or it is refused with 503, `Connection: close` and `Retry-After`.
 */

const root = join(import.meta.dir, "../../..");
const dir = tempDir();
afterAll(() => rmSync(dir, { recursive: true, force: true }));

test("SIGTERM under keep-alive load: every request written gets a response (finished, or 503 + Connection: close + Retry-After)", async () => {
  const publicPort = await freePort();
  const adminPort = await freePort();
  const cfg = join(dir, "serve.toml");
  writeFileSync(cfg, testConfigToml({ publicPort, adminPort, dbPath: join(dir, "serve.db") }));
  const proc = Bun.spawn([process.execPath, join(root, "src/main.ts"), "serve", "--config", cfg], {
    cwd: dir,
    stdout: "ignore",
    stderr: "pipe",
    env: { PATH: process.env.PATH ?? "/usr/bin:/bin", CAVARIDGE_DEMO_SEED: "off" },
  });
  try {
    let ready = false;
    for (let i = 0; i < 150 && !ready; i++) {
      ready = await fetch(`http://127.0.0.1:${publicPort}/readyz`).then(
        (r) => r.ok,
        () => false,
      );
      if (!ready) await Bun.sleep(100);
    }
    expect(ready).toBe(true);

    // Reads and writes on both listeners: GETs, and POSTs with a body (a dynamic client registration writes a row).
    const requests = [
      (host: string) => ({ method: "GET", raw: `GET /healthz HTTP/1.1\r\nHost: ${host}\r\n\r\n` }),
      (host: string) => ({
        method: "GET",
        raw: `GET /.well-known/oauth-authorization-server HTTP/1.1\r\nHost: ${host}\r\n\r\n`,
      }),
      (host: string) => {
        const body = JSON.stringify({ client_name: "load", redirect_uris: ["http://127.0.0.1:9/cb"] });
        return {
          method: "POST",
          raw: `POST /oauth/register HTTP/1.1\r\nHost: ${host}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
        };
      },
    ];
    const clients: KeepAliveClient[] = [];
    for (let c = 0; c < 8; c++) {
      const port = c < 6 ? publicPort : adminPort;
      const host = `127.0.0.1:${port}`;
      const pick = port === adminPort ? [requests[0]!] : requests;
      clients.push(new KeepAliveClient(port, (i) => pick[(i + c) % pick.length]!(host)));
    }
    await Bun.sleep(600);
    const answeredBefore = clients.reduce((n, c) => n + c.exchanges.filter((e) => e.response).length, 0);
    expect(answeredBefore).toBeGreaterThan(20);

    proc.kill("SIGTERM");
    // The clients keep sending until each is told to close; the process must then exit on its own.
    const exited = await Promise.race([proc.exited, Bun.sleep(15_000).then(() => "hung" as const)]);
    expect(exited).toBe(0);
    for (const c of clients) c.stop();
    await Promise.race([Promise.all(clients.map((c) => c.done)), Bun.sleep(5000)]);

    const exchanges = clients.flatMap((c) => c.exchanges);
    const unanswered = exchanges.filter((e) => e.written && !e.response);
    expect(unanswered.map((e) => `${e.error}: ${e.request.split("\r\n")[0]}`)).toEqual([]);
    for (const e of exchanges.filter((x) => x.response)) {
      const r = e.response!;
      if (r.status === 503) {
        expect(r.headers.get("connection")).toBe("close");
        expect(Number(r.headers.get("retry-after"))).toBeGreaterThan(0);
      } else {
        expect([200, 201]).toContain(r.status);
      }
    }
    // Every connection was told to close, by a 503 or by the Connection: close of its last finished request.
    for (const c of clients) {
      const last = c.exchanges.filter((e) => e.response).at(-1)!;
      expect(last.response!.headers.get("connection")).toBe("close");
    }
    expect(exchanges.some((e) => e.response?.status === 503)).toBe(true);
  } finally {
    if (proc.exitCode === null) proc.kill("SIGKILL");
  }
}, 60_000);
