import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { startTestAppliance, type TestAppliance } from "../../helpers/appliance";
import { sendOnce } from "../../helpers/raw-http";

/**
 * Regression: `Host: @|` on any admin route or on /oauth/authorize answered `500 server_error`: Bun builds
 * `request.url` from the Host header, and `new URL()` of it threw in the handler. Every route of both listeners now
 * answers 400 `invalid_request` before routing. Sent over raw TCP, since fetch cannot send such a Host.
 */

const MALFORMED_HOSTS = ["@|", "a b", "[::1", "127.0.0.1:99999", "%", "x:y:z", "a/b", "a?b", "\\\\", ""];

let app: TestAppliance;
beforeAll(async () => {
  app = await startTestAppliance({ env: { CAVARIDGE_DEMO_SEED: "off" } });
});
afterAll(async () => {
  await app?.close();
});

function concrete(path: string): string {
  return path.replace(/:[A-Za-z_]+/g, "x").replace(/\*$/, "x");
}

describe("a malformed Host header", () => {
  for (const listener of ["public", "admin"] as const) {
    test(`answers 400 invalid_request on every ${listener} route`, async () => {
      const port = listener === "public" ? app.publicPort : app.adminPort!;
      const routes = app.routes[listener];
      expect(routes.length).toBeGreaterThan(5);
      const failures: string[] = [];
      for (const route of routes) {
        const method = route.method === "ALL" ? "GET" : route.method;
        for (const host of MALFORMED_HOSTS) {
          const body = method === "GET" || method === "HEAD" ? "" : "{}";
          const raw = `${method} ${concrete(route.path)}?next=%2F HTTP/1.1\r\nHost: ${host}\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n${body}`;
          const r = await sendOnce(port, raw, 5000);
          if (r.kind !== "response" || r.status !== 400)
            failures.push(`${method} ${route.path} Host ${host}: ${JSON.stringify(r)}`);
        }
      }
      expect(failures).toEqual([]);
    });
  }

  test("the 400 says what is wrong, in the OAuth error shape", async () => {
    for (const [port, path] of [
      [app.publicPort, "/oauth/authorize?client_id=x"],
      [app.adminPort!, "/connections"],
    ] as const) {
      const r = await sendOnce(port, `GET ${path} HTTP/1.1\r\nHost: @|\r\nConnection: close\r\n\r\n`, 5000, {
        body: true,
      });
      if (r.kind !== "response") throw new Error(`no response: ${JSON.stringify(r)}`);
      expect(r.status).toBe(400);
      const body = JSON.parse(r.body) as { error: string; error_description: string };
      expect(body.error).toBe("invalid_request");
      expect(body.error_description).toContain("Host");
    }
  });

  test("an HTTP/1.0 request without any Host is a 400 too, not a 500", async () => {
    const r = await sendOnce(app.adminPort!, "GET /sign-in HTTP/1.0\r\n\r\n", 5000);
    expect(r).toMatchObject({ kind: "response", status: 400 });
  });
});
