import { createHash } from "node:crypto";
import { constantTimeEqual } from "../shared/crypto";
import { OAuthError } from "./errors";

// RFC 7636 §4.1: 43..128 characters from the unreserved set. A challenge is the base64url SHA-256 (43 chars).
const VERIFIER = /^[A-Za-z0-9\-._~]{43,128}$/;
const CHALLENGE = /^[A-Za-z0-9\-_]{43}$/;

/**
 * Validates the authorization request's PKCE parameters. S256 only (OAuth 2.1 §4.1.1; docs/mcp-client-compat.md D4):
 * a missing challenge, a missing method (RFC 7636's default is `plain`), `plain`, or any other method is refused.
 * Called after client and redirect URI validation, so the error is redirectable.
 */
export function validateCodeChallenge(challenge: string | null, method: string | null): string {
  if (!challenge) throw new OAuthError("invalid_request", "code_challenge is required (PKCE with S256)", 400, true);
  if (method !== "S256") throw new OAuthError("invalid_request", "code_challenge_method must be S256", 400, true);
  if (!CHALLENGE.test(challenge))
    throw new OAuthError("invalid_request", "code_challenge is not a base64url SHA-256 value", 400, true);
  return challenge;
}

/** True when `verifier` hashes (S256) to `challenge` (RFC 7636 §4.6). Constant-time compare. */
export function verifyCodeVerifier(verifier: string | null, challenge: string): boolean {
  if (!verifier || !VERIFIER.test(verifier)) return false;
  const computed = createHash("sha256").update(verifier).digest("base64url");
  return constantTimeEqual(computed, challenge);
}
