import { afterAll, beforeAll, describe, expect, test, setDefaultTimeout } from "bun:test";
import { decodeJwt } from "jose";
import { startTestAppliance, type TestAppliance } from "../../../helpers/appliance";
import {
  authorizeViaForms,
  buildAuthorizeUrl,
  exchangeCode,
  registerTestClient,
  type TestClient,
} from "../../../helpers/oauth";

// Real argon2id sign-ins over HTTP: generous per-test time when the machine is busy.
setDefaultTimeout(30_000);

let app: TestAppliance;
let client: TestClient;
let R: string;
beforeAll(async () => {
  app = await startTestAppliance();
  client = await registerTestClient(app);
  R = `${app.config.server.public_url}/cavalier`;
});
afterAll(async () => {
  await app.close();
});

async function redirectError(overrides: Record<string, string | null>): Promise<string | null> {
  const res = await fetch(buildAuthorizeUrl(app, client, overrides), { redirect: "manual" });
  if (res.status === 200) return null;
  return new URL(res.headers.get("location")!).searchParams.get("error");
}

async function audienceFor(resource: string | null, scopes?: string[]): Promise<string> {
  const { location, verifier } = await authorizeViaForms(app, {
    client,
    email: "admin@harbor-it.example",
    surface: "cavalier",
    resource,
    scopes,
  });
  const code = location.searchParams.get("code");
  if (!code) throw new Error(location.href);
  const res = await exchangeCode(app, client, code, verifier);
  const body = (await res.json()) as { access_token: string };
  return decodeJwt(body.access_token).aud as string;
}

describe("resource indicators (RFC 8707)", () => {
  test("foreign, fragment, query, userinfo, unknown surface and malformed resources -> invalid_target", async () => {
    const port = new URL(app.config.server.public_url).port;
    for (const r of [
      "https://evil.com/cavalier",
      `${R}#x`,
      `${R}?a=1`,
      `http://user@127.0.0.1:${port}/cavalier`,
      `${app.config.server.public_url}/payroll`,
      `${app.config.server.public_url}/cavalier/extra`,
      "not a uri",
      `http://127.0.0.1:${Number(port) + 1}/cavalier`,
    ]) {
      expect({ r, error: await redirectError({ resource: r }) }).toEqual({ r, error: "invalid_target" });
    }
  });

  test("harmless variants normalize to the canonical resource: case, trailing slash, /mcp alias", async () => {
    const upper = R.replace("http://", "HTTP://").replace("127.0.0.1", "127.0.0.1");
    expect(await audienceFor(upper)).toBe(R);
    expect(await audienceFor(`${R}/`)).toBe(R);
    expect(await audienceFor(`${R}/mcp`)).toBe(R);
  });

  test("a missing resource is inferred from scopes of a single surface; ambiguous requests are invalid_target", async () => {
    expect(await audienceFor(null, ["cavalier:read"])).toBe(R);
    expect(await redirectError({ resource: null, scope: null })).toBe("invalid_target");
    expect(await redirectError({ resource: null, scope: "cavalier:read forge:read" })).toBe("invalid_target");
    expect(await redirectError({ resource: app.config.server.public_url, scope: "forge:read cavalier:read" })).toBe(
      "invalid_target",
    );
    expect(await redirectError({ resource: `${app.config.server.public_url}/`, scope: "forge:read" })).toBeNull();
  });

  test("scopes of other surfaces are dropped (claude.ai sends scopes_supported verbatim); none left -> invalid_scope", async () => {
    const { location, verifier } = await authorizeViaForms(app, {
      client,
      email: "admin@harbor-it.example",
      surface: "cavalier",
      scopes: [
        "forge:read",
        "forge:write",
        "cavalier:read",
        "cavalier:write",
        "aegis:read",
        "aegis:write",
        "offline_access",
      ],
    });
    const body = (await (await exchangeCode(app, client, location.searchParams.get("code")!, verifier)).json()) as {
      scope: string;
    };
    expect(body.scope).toBe("cavalier:read cavalier:write");
    expect(await redirectError({ scope: "forge:read" })).toBe("invalid_scope");
  });

  test("exchanging a cavalier code with resource=forge is invalid_target", async () => {
    const { location, verifier } = await authorizeViaForms(app, {
      client,
      email: "admin@harbor-it.example",
      surface: "cavalier",
    });
    const res = await exchangeCode(app, client, location.searchParams.get("code")!, verifier, {
      resource: `${app.config.server.public_url}/forge`,
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: string }).error).toBe("invalid_target");
  });

  test("a token for /cavalier is refused at /forge (audience)", async () => {
    const { location, verifier } = await authorizeViaForms(app, {
      client,
      email: "admin@harbor-it.example",
      surface: "cavalier",
    });
    const body = (await (await exchangeCode(app, client, location.searchParams.get("code")!, verifier)).json()) as {
      access_token: string;
    };
    await expect(app.oauth.verifier.verify(body.access_token, "forge")).rejects.toMatchObject({
      code: "invalid_token",
    });
    expect((await app.oauth.verifier.verify(body.access_token, "cavalier")).resource).toBe(R);
  });
});
