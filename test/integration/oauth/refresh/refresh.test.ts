import { afterAll, beforeAll, describe, expect, test, setDefaultTimeout } from "bun:test";
import { decodeJwt } from "jose";
import { startTestAppliance, type TestAppliance } from "../../../helpers/appliance";
import { obtainTokens, refreshTokens, registerTestClient } from "../../../helpers/oauth";

// Real argon2id sign-ins over HTTP: generous per-test time when the machine is busy.
setDefaultTimeout(30_000);

let app: TestAppliance;
beforeAll(async () => {
  app = await startTestAppliance();
});
afterAll(async () => {
  await app.close();
});

type TokenBody = { access_token: string; refresh_token: string; scope: string; error?: string };
const refresh = async (clientId: string, rt: string, extra: Record<string, string> = {}) => {
  const res = await refreshTokens(app, clientId, rt, extra);
  return { status: res.status, body: (await res.json()) as TokenBody };
};

describe("refresh token rotation (OAuth 2.1 §4.3.1)", () => {
  test("every refresh rotates: RT1 -> RT2 -> RT3, each new access token verifies", async () => {
    const t = await obtainTokens(app, { email: "admin@harbor-it.example", surface: "forge" });
    const r2 = await refresh(t.client_id, t.refresh_token);
    expect(r2.status).toBe(200);
    expect(r2.body.refresh_token).not.toBe(t.refresh_token);
    await app.oauth.verifier.verify(r2.body.access_token, "forge");
    const r3 = await refresh(t.client_id, r2.body.refresh_token);
    expect(r3.status).toBe(200);
    expect(r3.body.refresh_token).not.toBe(r2.body.refresh_token);
    expect(decodeJwt(r3.body.access_token).grant_id).toBe(t.grant_id);
  });

  test("the previous RT stays valid until the new one is used (double refresh from two egress nodes)", async () => {
    const t = await obtainTokens(app, { email: "admin@harbor-it.example", surface: "forge" });
    const a = await refresh(t.client_id, t.refresh_token);
    const b = await refresh(t.client_id, t.refresh_token); // lost response: RT1 again
    expect(a.status).toBe(200);
    expect(b.status).toBe(200);
    // Either answer may be the one the client kept: both successors work until one is used.
    const c = await refresh(t.client_id, a.body.refresh_token);
    expect(c.status).toBe(200);
    await app.oauth.verifier.verify(c.body.access_token, "forge");
    const reuse = await refresh(t.client_id, t.refresh_token);
    expect(reuse.status).toBe(400);
    expect(reuse.body.error).toBe("invalid_grant");
    // Reuse of a superseded RT revokes the whole grant: the newest tokens die too.
    await expect(app.oauth.verifier.verify(c.body.access_token, "forge")).rejects.toMatchObject({
      code: "invalid_token",
    });
    expect((await refresh(t.client_id, c.body.refresh_token)).body.error).toBe("invalid_grant");
  });

  test("a sibling successor retired because the other sibling was used revokes the grant when presented", async () => {
    // The client keeps one of the two answers of a double refresh; the other is never presented by a legitimate
    // client. If it is presented after its sibling was used, someone else holds the family: revoke it.
    const t = await obtainTokens(app, { email: "admin@harbor-it.example", surface: "forge" });
    const a = await refresh(t.client_id, t.refresh_token);
    const b = await refresh(t.client_id, t.refresh_token);
    const c = await refresh(t.client_id, a.body.refresh_token);
    expect([a.status, b.status, c.status]).toEqual([200, 200, 200]);
    const sibling = await refresh(t.client_id, b.body.refresh_token);
    expect(sibling.body.error).toBe("invalid_grant");
    await expect(app.oauth.verifier.verify(c.body.access_token, "forge")).rejects.toMatchObject({
      code: "invalid_token",
    });
    expect((await refresh(t.client_id, c.body.refresh_token)).body.error).toBe("invalid_grant");
  });

  test("scope may narrow, never widen; offline_access is accepted", async () => {
    const t = await obtainTokens(app, {
      email: "admin@harbor-it.example",
      surface: "aegis",
      scopes: ["aegis:read", "aegis:write", "offline_access"],
    });
    expect(t.scope).toBe("aegis:read aegis:write");
    const narrow = await refresh(t.client_id, t.refresh_token, { scope: "aegis:read" });
    expect(narrow.status).toBe(200);
    expect(narrow.body.scope).toBe("aegis:read");
    expect(decodeJwt(narrow.body.access_token).scope).toBe("aegis:read");
    const wide = await refresh(t.client_id, narrow.body.refresh_token, { scope: "aegis:read forge:read" });
    expect(wide.status).toBe(400);
    expect(wide.body.error).toBe("invalid_scope");
    // The narrowed refresh kept the RT's original scope: the full set can be asked again.
    const back = await refresh(t.client_id, narrow.body.refresh_token, {
      scope: "aegis:read aegis:write offline_access",
    });
    expect(back.status).toBe(200);
    expect(back.body.scope).toBe("aegis:read aegis:write");
  });

  test("another client's refresh token, a garbage token, and a foreign resource are refused", async () => {
    const t = await obtainTokens(app, { email: "admin@harbor-it.example", surface: "forge" });
    const other = await registerTestClient(app);
    expect((await refresh(other.client_id, t.refresh_token)).body.error).toBe("invalid_grant");
    expect((await refresh(t.client_id, "garbage")).body.error).toBe("invalid_grant");
    const target = await refresh(t.client_id, t.refresh_token, {
      resource: `${app.config.server.public_url}/cavalier`,
    });
    expect(target.body.error).toBe("invalid_target");
    expect((await refresh(t.client_id, t.refresh_token)).status).toBe(200);
  });
});
