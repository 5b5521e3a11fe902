import { afterAll, beforeAll, describe, expect, test, setDefaultTimeout } from "bun:test";
import * as oauth from "oauth4webapi";
import { startTestAppliance, type TestAppliance } from "../helpers/appliance";
import { completeAuthorizationInBrowser } from "../helpers/oauth";

// Real argon2id sign-ins over HTTP: generous per-test time when the machine is busy.
setDefaultTimeout(30_000);

/**
 * oauth4webapi is stricter than most clients: it checks the discovered issuer byte for byte, requires the RFC 9207
 * `iss` parameter when advertised, validates state, PKCE and token response shapes, and validates RFC 9068 JWT
 * access tokens (typ, iss, aud, claims, signature via jwks_uri). The whole flow must pass it.
 */
let app: TestAppliance;
beforeAll(async () => {
  app = await startTestAppliance();
});
afterAll(async () => {
  await app.close();
});

const insecure = { [oauth.allowInsecureRequests]: true } as const; // the test appliance is http on 127.0.0.1

describe("oauth4webapi end to end", () => {
  test("strict discovery, registration, code + PKCE with iss, JWT access token validation, refresh, revocation", async () => {
    const issuer = new URL(app.config.server.public_url);
    const as = await oauth.processDiscoveryResponse(
      issuer,
      await oauth.discoveryRequest(issuer, { ...insecure, algorithm: "oauth2" }),
    );
    expect(as.issuer).toBe(app.config.server.public_url);
    expect(as.authorization_response_iss_parameter_supported).toBe(true);

    const redirectUri = "http://127.0.0.1:43110/cb";
    const registered = await oauth.processDynamicClientRegistrationResponse(
      await oauth.dynamicClientRegistrationRequest(
        as,
        { redirect_uris: [redirectUri], token_endpoint_auth_method: "none", client_name: "oauth4webapi" },
        insecure,
      ),
    );
    const client: oauth.Client = { client_id: registered.client_id, token_endpoint_auth_method: "none" };
    const clientAuth = oauth.None();

    const verifier = oauth.generateRandomCodeVerifier();
    const challenge = await oauth.calculatePKCECodeChallenge(verifier);
    const state = oauth.generateRandomState();
    const resource = `${app.config.server.public_url}/forge`;
    const authUrl = new URL(as.authorization_endpoint!);
    authUrl.search = new URLSearchParams({
      client_id: client.client_id,
      redirect_uri: redirectUri,
      response_type: "code",
      scope: "forge:read",
      state,
      code_challenge: challenge,
      code_challenge_method: "S256",
      resource,
    }).toString();

    const callback = await completeAuthorizationInBrowser(app, authUrl, { email: "owner@fabrikam-law.example" });
    const params = oauth.validateAuthResponse(as, client, callback, state);

    const codeResponse = await oauth.authorizationCodeGrantRequest(
      as,
      client,
      clientAuth,
      params,
      redirectUri,
      verifier,
      { ...insecure, additionalParameters: { resource } },
    );
    const tokens = await oauth.processAuthorizationCodeResponse(as, client, codeResponse);
    expect(tokens.token_type).toBe("bearer");
    expect(tokens.scope).toBe("forge:read");
    expect(tokens.refresh_token).toBeTruthy();

    const claims = await oauth.validateJwtAccessToken(
      as,
      new Request(resource, { headers: { authorization: `Bearer ${tokens.access_token}` } }),
      resource,
      insecure,
    );
    expect(claims.client_id).toBe(client.client_id);
    expect(claims.iss).toBe(app.config.server.public_url);

    // A mismatched iss in the callback must be rejected by the client; ours always matches.
    const forged = new URL(callback);
    forged.searchParams.set("iss", "https://evil.example");
    expect(() => oauth.validateAuthResponse(as, client, forged, state)).toThrow();

    const refreshed = await oauth.processRefreshTokenResponse(
      as,
      client,
      await oauth.refreshTokenGrantRequest(as, client, clientAuth, tokens.refresh_token!, insecure),
    );
    expect(refreshed.refresh_token).not.toBe(tokens.refresh_token);
    await oauth.validateJwtAccessToken(
      as,
      new Request(resource, { headers: { authorization: `Bearer ${refreshed.access_token}` } }),
      resource,
      insecure,
    );

    // Token endpoint errors are parsed as RFC 6749 §5.2 errors.
    const replay = await oauth.authorizationCodeGrantRequest(as, client, clientAuth, params, redirectUri, verifier, {
      ...insecure,
      additionalParameters: { resource },
    });
    const err = await oauth.processAuthorizationCodeResponse(as, client, replay).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(oauth.ResponseBodyError);
    expect((err as oauth.ResponseBodyError).error).toBe("invalid_grant");

    // The replay revoked the grant; revocation of the (already dead) refresh token still answers 200.
    await oauth.processRevocationResponse(
      await oauth.revocationRequest(as, client, clientAuth, refreshed.refresh_token!, insecure),
    );
    await expect(app.oauth.verifier.verify(refreshed.access_token, "forge")).rejects.toMatchObject({
      code: "invalid_token",
    });
  });

  test("an error redirect carries iss and passes oauth4webapi's RFC 9207 check before reporting access_denied", async () => {
    const issuer = new URL(app.config.server.public_url);
    const as = await oauth.processDiscoveryResponse(
      issuer,
      await oauth.discoveryRequest(issuer, { ...insecure, algorithm: "oauth2" }),
    );
    const redirectUri = "http://127.0.0.1:43110/cb";
    const registered = await oauth.processDynamicClientRegistrationResponse(
      await oauth.dynamicClientRegistrationRequest(
        as,
        { redirect_uris: [redirectUri], token_endpoint_auth_method: "none" },
        insecure,
      ),
    );
    const client: oauth.Client = { client_id: registered.client_id, token_endpoint_auth_method: "none" };
    const state = oauth.generateRandomState();
    const authUrl = new URL(as.authorization_endpoint!);
    authUrl.search = new URLSearchParams({
      client_id: client.client_id,
      redirect_uri: redirectUri,
      response_type: "code",
      state,
      code_challenge: await oauth.calculatePKCECodeChallenge(oauth.generateRandomCodeVerifier()),
      code_challenge_method: "S256",
      resource: `${app.config.server.public_url}/aegis`,
    }).toString();
    const callback = await completeAuthorizationInBrowser(app, authUrl, {
      email: "owner@fabrikam-law.example",
      decision: "deny",
    });
    const err = (() => {
      try {
        oauth.validateAuthResponse(as, client, callback, state);
        return null;
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(oauth.AuthorizationResponseError);
    expect((err as oauth.AuthorizationResponseError).error).toBe("access_denied");
  });
});
