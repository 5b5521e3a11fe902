import { afterAll, beforeAll, describe, expect, test, setDefaultTimeout } from "bun:test";
import { startTestAppliance, type TestAppliance } from "../../../helpers/appliance";
import { buildAuthorizeUrl } from "../../../helpers/oauth";

setDefaultTimeout(30_000);

/** The appliance with open registration and metadata documents switched off in the config. */
const fetched: string[] = [];
let app: TestAppliance;
beforeAll(async () => {
  const recorder = (async (input: string | URL | Request) => {
    fetched.push(String(input instanceof Request ? input.url : input));
    return new Response("{}", { headers: { "content-type": "application/json" } });
  }) as typeof fetch;
  app = await startTestAppliance({
    fetch: recorder,
    extraToml: `[oauth]\ndynamic_registration = false\nclient_id_metadata_documents = false\n`,
  });
});
afterAll(async () => {
  await app.close();
});

describe("oauth.dynamic_registration = false", () => {
  test("bug: metadata advertised registration_endpoint although registration was off", async () => {
    for (const path of ["/.well-known/oauth-authorization-server", "/.well-known/openid-configuration"]) {
      const meta = (await (await fetch(`${app.baseUrl}${path}`)).json()) as Record<string, unknown>;
      expect({ path, has: "registration_endpoint" in meta }).toEqual({ path, has: false });
      expect(meta.token_endpoint).toBe(`${app.config.server.public_url}/oauth/token`);
    }
  });

  test("POST /oauth/register (and /register) answers 403 with an RFC 7591 §3.2.2 error body", async () => {
    for (const path of ["/oauth/register", "/register"]) {
      const res = await fetch(`${app.baseUrl}${path}`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({
          redirect_uris: ["https://claude.ai/api/mcp/auth_callback"],
          token_endpoint_auth_method: "none",
        }),
      });
      expect(res.status).toBe(403);
      expect(res.headers.get("content-type")).toContain("application/json");
      expect(res.headers.get("cache-control")).toContain("no-store");
      const body = (await res.json()) as Record<string, unknown>;
      expect(typeof body.error).toBe("string");
      expect(body.error_description).toContain("disabled");
      expect(body.client_id).toBeUndefined();
    }
  });
});

describe("oauth.client_id_metadata_documents = false", () => {
  test("bug: metadata said client_id_metadata_document_supported: false instead of omitting it", async () => {
    const meta = (await (await fetch(`${app.baseUrl}/.well-known/oauth-authorization-server`)).json()) as Record<
      string,
      unknown
    >;
    expect("client_id_metadata_document_supported" in meta).toBe(false);
  });

  test("an https client_id is refused on the local error page without any fetch", async () => {
    const client = {
      client_id: "https://chatgpt.com/oauth/abc123/client.json",
      redirect_uri: "https://chatgpt.com/connector/oauth/abc123",
    };
    const res = await fetch(buildAuthorizeUrl(app, client), { redirect: "manual" });
    expect(res.status).toBe(400);
    expect(res.headers.get("location")).toBeNull();
    expect(res.headers.get("content-type")).toContain("text/html");
    expect(await res.text()).toContain("invalid_client");
    expect(fetched).toEqual([]);
  });
});
