import type { Server } from "bun";
import { randomBytes } from "node:crypto";

/** A request id for logs and audit rows: the caller's X-Request-Id when it is sane, else a fresh one. */
export function requestIdFor(request: Request): string {
  const given = request.headers.get("x-request-id");
  if (given && /^[A-Za-z0-9._:-]{8,128}$/.test(given)) return given;
  return `req_${randomBytes(9).toString("base64url")}`;
}

/**
 * The caller's address. With `trustedProxies = n`, the n-th address from the right of X-Forwarded-For is taken
 * (each trusted proxy appends the address it saw); otherwise the socket address, so a spoofed header from an
 * untrusted hop cannot change throttling buckets (docs/mcp-client-compat.md H5).
 */
export function clientIpFor(
  request: Request,
  server: Server<unknown> | null | undefined,
  trustedProxies: number,
): string {
  const socket = server?.requestIP(request)?.address ?? "unknown";
  if (trustedProxies <= 0) return socket;
  const hops = (request.headers.get("x-forwarded-for") ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  return hops[hops.length - trustedProxies] ?? socket;
}
