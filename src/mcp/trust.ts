import { validateHostHeader, validateOriginHeader } from "@modelcontextprotocol/server";
import type { Config } from "../config/schema";

const LOOPBACK = new Set(["localhost", "127.0.0.1", "[::1]", "::1"]);

/**
 * The host names a surface answers to (DNS-rebinding protection, MCP 2025-11-25 transports "Security Warning"):
 * public_url's host, config.server.allowed_hosts, and the loopback names when public_url itself is loopback
 * (a local install is reached as localhost or 127.0.0.1 interchangeably). Ports are not compared: rebinding
 * is about the name a browser resolved, and a reverse proxy may or may not keep the port in Host.
 */
export function allowedHostnames(config: Config): ReadonlySet<string> {
  const publicHost = new URL(config.server.public_url).hostname.toLowerCase();
  const names = new Set<string>([publicHost]);
  for (const h of config.server.allowed_hosts) names.add(hostnameOf(h));
  if (LOOPBACK.has(publicHost)) for (const h of LOOPBACK) names.add(h);
  return names;
}

/** "example.com:8443" -> "example.com", "[::1]:80" -> "[::1]". */
export function hostnameOf(host: string): string {
  const h = host.trim().toLowerCase();
  if (h.startsWith("[")) return h.slice(0, h.indexOf("]") + 1);
  const colon = h.lastIndexOf(":");
  return colon >= 0 && h.indexOf(":") === colon ? h.slice(0, colon) : h;
}

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
