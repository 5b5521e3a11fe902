import { OAuthError } from "./errors";

/** Request facts the endpoint handlers need, taken from the edge (src/app.ts), never from headers we don't trust. */
export interface RequestMeta {
  ip: string;
  requestId: string;
}

/**
 * CORS for the endpoints browser-based clients call directly (MCP Inspector; docs/mcp-client-compat.md G15):
 * metadata, JWKS, token, registration, revocation. No cookies are involved on these, so `*` is safe.
 */
export const CORS_HEADERS: Record<string, string> = {
  "access-control-allow-origin": "*",
  "access-control-allow-methods": "GET, POST, OPTIONS",
  "access-control-allow-headers": "authorization, content-type, mcp-protocol-version",
  "access-control-expose-headers": "www-authenticate",
  "access-control-max-age": "600",
};

export function withCors(res: Response): Response {
  for (const [k, v] of Object.entries(CORS_HEADERS)) res.headers.set(k, v);
  return res;
}

export function preflight(): Response {
  return new Response(null, { status: 204, headers: CORS_HEADERS });
}

const MAX_FORM_BYTES = 16 * 1024;

/** Reads an application/x-www-form-urlencoded body (RFC 6749 §3.2: the token endpoint takes only that). */
export async function readForm(request: Request): Promise<URLSearchParams> {
  const type = (request.headers.get("content-type") ?? "").split(";")[0]!.trim().toLowerCase();
  if (type !== "application/x-www-form-urlencoded") {
    throw new OAuthError("invalid_request", "the request body must be application/x-www-form-urlencoded");
  }
  const text = await readCapped(request, MAX_FORM_BYTES);
  return new URLSearchParams(text);
}

export async function readCapped(request: Request, max: number): Promise<string> {
  const declared = Number(request.headers.get("content-length") ?? "0");
  if (declared > max) throw new OAuthError("invalid_request", "the request body is too large");
  const buf = await request.arrayBuffer();
  if (buf.byteLength > max) throw new OAuthError("invalid_request", "the request body is too large");
  return new TextDecoder().decode(buf);
}

/** RFC 6749 §3.1 / §3.2: parameters must not be repeated. Returns the first repeated name, or null. */
export function repeatedParam(params: URLSearchParams, names: readonly string[]): string | null {
  for (const n of names) if (params.getAll(n).length > 1) return n;
  return null;
}

export function parseCookies(header: string | null): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of (header ?? "").split(";")) {
    const idx = part.indexOf("=");
    if (idx < 0) continue;
    const k = part.slice(0, idx).trim();
    if (!out.has(k)) out.set(k, part.slice(idx + 1).trim());
  }
  return out;
}
