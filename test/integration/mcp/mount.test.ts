import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { startTestAppliance, type TestAppliance } from "../../helpers/appliance";

let app: TestAppliance;
beforeAll(async () => {
  app = await startTestAppliance({ extraToml: "[surfaces]\naegis = false\n" });
});
afterAll(async () => {
  await app?.close();
});

describe("surfaces mounted on the public listener", () => {
  for (const path of ["/cavalier", "/cavalier/mcp", "/forge", "/forge/mcp"]) {
    test(`${path}: POST without a token is a 401 challenge pointing at the surface's resource metadata; GET is 405`, async () => {
      const res = await fetch(app.baseUrl + path, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "initialize", params: {} }),
      });
      expect(res.status).toBe(401);
      const surface = path.split("/")[1];
      expect(res.headers.get("www-authenticate")).toContain(`/.well-known/oauth-protected-resource/${surface}"`);
      const get = await fetch(app.baseUrl + path, { headers: { accept: "text/event-stream" } });
      expect(get.status).toBe(405);
    });
  }

  test("a disabled surface is not served", async () => {
    const res = await fetch(`${app.baseUrl}/aegis`, { method: "POST", body: "{}" });
    expect(res.status).toBe(404);
  });

  test("GET /{surface}/list_tools is public JSON", async () => {
    const res = await fetch(`${app.baseUrl}/cavalier/list_tools`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { surface: string; tools: unknown[] };
    expect(body.surface).toBe("cavalier");
    expect(Array.isArray(body.tools)).toBe(true);
  });

  test("CORS preflight from a browser-based client is answered", async () => {
    const res = await fetch(`${app.baseUrl}/cavalier`, {
      method: "OPTIONS",
      headers: {
        origin: "http://localhost:6274",
        "access-control-request-method": "POST",
        "access-control-request-headers": "authorization",
      },
    });
    expect(res.status).toBe(204);
    expect(res.headers.get("access-control-allow-origin")).toBe("http://localhost:6274");
  });
});
