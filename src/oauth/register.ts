import { newId } from "../shared/crypto";
import { noStoreJson, OAuthError, oauthErrorResponse } from "./errors";
import { readCapped, withCors, type RequestMeta } from "./http";
import { registerClient } from "./clients";
import type { OAuthDeps } from "./services";

/** POST /oauth/register: open dynamic client registration (RFC 7591 §3). 201 with the client information. */
export async function handleRegister(deps: OAuthDeps, request: Request, meta: RequestMeta): Promise<Response> {
  const { ctx } = deps;
  try {
    if (!ctx.config.oauth.dynamic_registration)
      throw new OAuthError("invalid_request", "dynamic client registration is disabled on this appliance", 403);
    const type = (request.headers.get("content-type") ?? "").split(";")[0]!.trim().toLowerCase();
    if (type !== "application/json")
      throw new OAuthError("invalid_client_metadata", "the registration request must be application/json");
    let body: unknown;
    try {
      body = JSON.parse(await readCapped(request, 16 * 1024));
    } catch (err) {
      if (err instanceof OAuthError) throw err;
      throw new OAuthError("invalid_client_metadata", "the registration request is not valid JSON");
    }
    const { client, response } = await registerClient(ctx.store.db, body, newId("cli"), ctx.clock());
    await ctx.audit.record({
      kind: "oauth",
      action: "oauth.client.register",
      outcome: "ok",
      requestId: meta.requestId,
      ip: meta.ip,
      clientId: client.id,
      detail: {
        client_name: client.name,
        redirect_uris: client.redirectUris,
        token_endpoint_auth_method: client.tokenEndpointAuthMethod,
      },
    });
    return withCors(noStoreJson(response, 201));
  } catch (err) {
    if (err instanceof OAuthError) {
      await ctx.audit.record({
        kind: "oauth",
        action: "oauth.client.register",
        outcome: "invalid_input",
        requestId: meta.requestId,
        ip: meta.ip,
        detail: { error: err.code, description: err.description },
      });
      return withCors(oauthErrorResponse(err));
    }
    throw err;
  }
}
