import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { decodeJwt, generateKeyPair, SignJWT, type JWTPayload } from "jose";
import { eq } from "drizzle-orm";
import { oauthClients } from "../../../../src/store/schema/oauth";
import { startTestAppliance, type TestAppliance } from "../../../helpers/appliance";
import { manualClock, obtainTokens, type Tokens } from "../../../helpers/oauth";

// Real argon2id sign-ins over HTTP: generous per-test time when the machine is busy.
setDefaultTimeout(30_000);

const time = manualClock();
let app: TestAppliance;
let tokens: Tokens;
let claims: JWTPayload;
beforeAll(async () => {
  app = await startTestAppliance({ clock: time.clock });
  tokens = await obtainTokens(app, { email: "admin@harbor-it.example", surface: "cavalier" });
  claims = decodeJwt(tokens.access_token);
});
afterAll(async () => {
  await app.close();
});

async function forge(overrides: JWTPayload, header: Record<string, unknown> = {}, key?: CryptoKey): Promise<string> {
  const signing = await app.oauth.keys.signingKey();
  const { iat: _i, exp: _e, ...base } = claims;
  return new SignJWT({ ...base, ...overrides })
    .setProtectedHeader({ alg: "ES256", typ: "at+jwt", kid: signing.kid, ...header })
    .setIssuedAt(Math.floor(time.now() / 1000))
    .setExpirationTime(Math.floor(time.now() / 1000) + 600)
    .sign(key ?? signing.key);
}

const verify = (token: string, surface: "cavalier" | "forge" = "cavalier") => app.oauth.verifier.verify(token, surface);
const refused = async (token: string, surface: "cavalier" | "forge" = "cavalier") => {
  await expect(verify(token, surface)).rejects.toMatchObject({ code: "invalid_token" });
};

describe("BearerVerifier.verify (RFC 9068, RFC 8707 audience, live grant)", () => {
  test("accepts the real token and returns the access context", async () => {
    const ctx = await verify(tokens.access_token);
    expect(ctx).toMatchObject({
      grantId: tokens.grant_id,
      email: "admin@harbor-it.example",
      role: "msp_admin",
      tenantId: "harbor-it",
      surface: "cavalier",
      clientId: tokens.client_id,
      clientName: "Test Client",
    });
    expect(ctx.resource).toBe(`${app.config.server.public_url}/cavalier`);
    expect(ctx.expiresAt).toBe((claims.exp as number) * 1000);
  });

  test("refuses garbage, a missing aud, a foreign aud, a foreign issuer, a wrong typ, an unknown key and alg none", async () => {
    await refused("not-a-jwt");
    await refused(await forge({ aud: undefined }));
    await refused(await forge({ aud: "https://evil.example/cavalier" }));
    await refused(await forge({ iss: "https://evil.example" }));
    await refused(await forge({}, { typ: "JWT" }));
    const other = await generateKeyPair("ES256");
    await refused(await forge({}, { kid: "unknown-kid" }, other.privateKey as CryptoKey));
    await refused(await forge({}, {}, other.privateKey as CryptoKey));
    const none = `${Buffer.from(JSON.stringify({ alg: "none", typ: "at+jwt" })).toString("base64url")}.${Buffer.from(JSON.stringify(claims)).toString("base64url")}.`;
    await refused(none);
  });

  test("refuses a token whose grant, subject or client does not match the live grant", async () => {
    await refused(await forge({ grant_id: "grt_nope" }));
    await refused(await forge({ sub: "usr_someone_else" }));
    await refused(await forge({ client_id: "cli_other" }));
    expect((await verify(await forge({}))).grantId).toBe(tokens.grant_id);
  });

  test("a token for /cavalier is refused at /forge", async () => {
    await refused(tokens.access_token, "forge");
  });

  test("a deleted client's tokens stop working at once", async () => {
    const t = await obtainTokens(app, { email: "admin@harbor-it.example", surface: "cavalier" });
    await verify(t.access_token);
    await app.ctx.store.db.update(oauthClients).set({ deletedAt: time.now() }).where(eq(oauthClients.id, t.client_id));
    await refused(t.access_token);
  });

  test("an expired token is refused", async () => {
    time.advance((app.config.oauth.access_token_ttl_seconds + 10) * 1000);
    await refused(tokens.access_token);
  });
});
