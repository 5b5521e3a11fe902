/**
 * The one error type of the OAuth boundary (RFC 6749 §4.1.2.1, §5.2; RFC 7591 §3.2.2; RFC 8707 §2).
 * `description` is public (sent as error_description); `detail` is private (logs and audit only).
 * `redirectable` says whether the error may be sent to the client's redirect URI: only once the client
 * and the redirect URI have been validated (RFC 6749 §4.1.2.1; docs/mcp-client-compat.md D1). Before that the
 * error is rendered locally.
 */
export type OAuthErrorCode =
  | "invalid_request"
  | "invalid_client"
  | "invalid_grant"
  | "unauthorized_client"
  | "unsupported_grant_type"
  | "unsupported_response_type"
  | "invalid_scope"
  | "invalid_target"
  | "access_denied"
  | "server_error"
  | "temporarily_unavailable"
  | "invalid_redirect_uri"
  | "invalid_client_metadata"
  | "unsupported_token_type";

export class OAuthError extends Error {
  constructor(
    readonly code: OAuthErrorCode,
    readonly description: string,
    readonly status = code === "invalid_client" ? 401 : 400,
    readonly redirectable = false,
    readonly detail?: string,
  ) {
    super(description);
    this.name = "OAuthError";
  }

  /** The same error, now known to be safe to redirect (client and redirect URI validated). */
  asRedirectable(): OAuthError {
    return new OAuthError(this.code, this.description, this.status, true, this.detail);
  }
}

const NO_STORE = { "cache-control": "no-store", pragma: "no-cache" } as const;

/** RFC 6749 §5.2 JSON error body with Cache-Control: no-store. A 401 invalid_client also names the scheme (§5.2). */
export function oauthErrorResponse(err: OAuthError, extraHeaders: Record<string, string> = {}): Response {
  const headers: Record<string, string> = { "content-type": "application/json", ...NO_STORE, ...extraHeaders };
  if (err.status === 401 && err.code === "invalid_client") headers["www-authenticate"] = 'Basic realm="cavaridge"';
  return new Response(JSON.stringify({ error: err.code, error_description: err.description }), {
    status: err.status,
    headers,
  });
}

/** A JSON success response that must not be cached (token, registration; RFC 6749 §5.1). */
export function noStoreJson(body: unknown, status = 200, extraHeaders: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json", ...NO_STORE, ...extraHeaders },
  });
}
