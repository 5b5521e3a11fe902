import type { Config } from "../config/schema";

/*
 * Host names only, apart from trust.ts: the routes need them at start, and trust.ts brings in the MCP SDK, which the
 * appliance loads on a surface's first request (src/mcp/index.ts).
 */

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
