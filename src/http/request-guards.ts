import { json } from "./responses";

/**
 * A request whose URL cannot be built: Bun forms `request.url` from the Host header, and a Host that is not a valid
 * `uri-host [ ":" port ]` (RFC 9110 §7.2, e.g. `@|`, `a b`, `[::1`, a port above 65535), or no Host at all on
 * HTTP/1.0, leaves a string that `new URL()` rejects. Every handler that reads its URL would then throw, so the edge
 * answers 400 before routing (RFC 9112 §3.2: a server MUST respond 400 to a request with an invalid Host).
 */
export function invalidHostResponse(request: Request): Response | null {
  if (URL.canParse(request.url)) return null;
  return json(
    {
      error: "invalid_request",
      error_description: "the Host header is missing or is not a valid host name (RFC 9110 section 7.2)",
    },
    400,
    { "cache-control": "no-store", connection: "close" },
  );
}
