import { OAuthError } from "./errors";

const LOOPBACK_HOSTS = new Set(["localhost", "127.0.0.1", "[::1]"]);

/** The authority part of a URI string (between `//` and the next `/`, `?` or end), for userinfo tricks like `https://@evil.com`. */
function authorityOf(uri: string): string {
  const start = uri.indexOf("//");
  if (start < 0) return "";
  const rest = uri.slice(start + 2);
  const end = rest.search(/[/?]/);
  return end < 0 ? rest : rest.slice(0, end);
}

export function isLoopbackRedirect(url: URL): boolean {
  return url.protocol === "http:" && LOOPBACK_HOSTS.has(url.hostname);
}

/**
 * Checks a redirect URI at registration (RFC 7591 §2; OAuth 2.1 §2.3.1; docs/mcp-client-compat.md C2): an absolute https
 * URI, or http on a loopback host (RFC 8252 §7.3). Allowlist, not blacklist: `javascript:`, `data:`, userinfo,
 * fragments, whitespace and control characters are all refused (workers-oauth-provider#97 bypassed a blacklist).
 */
export function validateRegisteredRedirectUri(uri: string): string {
  const bad = (why: string) =>
    new OAuthError("invalid_redirect_uri", `redirect URI ${JSON.stringify(uri.slice(0, 200))} ${why}`);
  if (uri.length > 2000) throw bad("is too long");
  if (/[\s\u0000-\u001f\u007f\\]/.test(uri)) throw bad("contains whitespace, a backslash or control characters");
  if (uri.includes("#")) throw bad("must not contain a fragment");
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    throw bad("is not an absolute URI");
  }
  if (url.username || url.password || authorityOf(uri).includes("@")) throw bad("must not contain userinfo");
  // The URI is stored and later compared as a string, but checked here in parsed form: the two must be the same
  // URI. WHATWG parsing repairs `https:evil.com/cb`, `https:/evil.com/cb`, `http:localhost/cb` and upper-case
  // scheme/host into a valid URL, so a raw string that differs from its canonical href is refused rather than
  // stored as something other than what was validated (RFC 3986 §6.2.2 normalization; exact match, RFC 9700 §2.1).
  if (url.href !== uri) throw bad(`is not in canonical form (register ${JSON.stringify(url.href.slice(0, 200))})`);
  if (url.protocol === "https:") return uri;
  if (isLoopbackRedirect(url)) return uri;
  throw bad("must use https, or http on localhost/127.0.0.1/[::1]");
}

/**
 * Matches the redirect_uri of an authorization or token request against the registered ones: exact string
 * comparison (OAuth 2.1 §4.1.1; RFC 9700 §2.1), except that for a loopback http redirect the port may differ
 * (RFC 8252 §7.3: native apps bind an ephemeral port). Host, path and query must still match exactly, so
 * `http://localhost.evil.com:53123/callback` never matches `http://localhost/callback`.
 * Returns the matched requested URI, or null.
 */
export function matchRedirectUri(requested: string, registered: readonly string[]): string | null {
  if (registered.includes(requested)) return requested;
  if (/[\s\u0000-\u001f\u007f\\#]/.test(requested)) return null;
  let req: URL;
  try {
    req = new URL(requested);
  } catch {
    return null;
  }
  if (!isLoopbackRedirect(req) || req.username || req.password) return null;
  for (const candidate of registered) {
    let reg: URL;
    try {
      reg = new URL(candidate);
    } catch {
      continue;
    }
    if (!isLoopbackRedirect(reg)) continue;
    if (reg.hostname === req.hostname && reg.pathname === req.pathname && reg.search === req.search) return requested;
  }
  return null;
}
