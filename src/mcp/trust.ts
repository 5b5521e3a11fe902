import { validateHostHeader, validateOriginHeader } from "@modelcontextprotocol/server";

/**
 * Pure check of the Host and Origin headers, on the SDK's validators (`validateHostHeader`,
 * `validateOriginHeader`: port-agnostic hostname allowlists, the `null` and unparsable origins refused). A present
 * Origin must name an allowed host (a browser page on another site must not drive the surface); an absent Origin is
 * fine (server-to-server clients send none), and so is an absent Host (HTTP/1.0; the listener is the allowlist then).
 * Returns the reason for refusal, or null.
 */
export function checkHostAndOrigin(
  host: string | null,
  origin: string | null,
  allowed: ReadonlySet<string>,
): string | null {
  const names = [...allowed];
  if (host !== null && !validateHostHeader(host.trim().toLowerCase(), names).ok) return "host not allowed";
  if (origin !== null && origin !== "" && !validateOriginHeader(origin, names).ok) return "origin not allowed";
  return null;
}
