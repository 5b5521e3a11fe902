import {
  classifyInboundRequest,
  PROTOCOL_VERSION_META_KEY,
  ProtocolErrorCode,
  SUPPORTED_PROTOCOL_VERSIONS,
} from "@modelcontextprotocol/server";
import { MAX_REQUEST_BODY_BYTES, readCappedText } from "../http/read-capped-body";

/**
 * The pure steps of a surface's request pipeline (surface.ts): HTTP answers in JSON-RPC shape, and the guards that
 * need nothing but the request. Each guard answers with a Response or lets the request pass.
 */

/** Tool arguments are small; a larger body is refused while it is read, before it is parsed. */
export const MAX_BODY_BYTES = MAX_REQUEST_BODY_BYTES;

/** A JSON-RPC error as an HTTP response (MCP transports: malformed or refused POSTs). */
export function rpcError(
  status: number,
  id: string | number | null,
  code: number,
  message: string,
  headers: Record<string, string> = {},
): Response {
  return new Response(JSON.stringify({ jsonrpc: "2.0", id, error: { code, message } }), {
    status,
    headers: { "content-type": "application/json", ...headers },
  });
}

const JSON_HEADERS = { "content-type": "application/json" } as const;

export function jsonResponse(body: unknown, status = 200, headers?: Record<string, string>): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: headers ? { ...JSON_HEADERS, ...headers } : JSON_HEADERS,
  });
}

export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

export function idOf(body: Record<string, unknown> | null): string | number | null {
  return typeof body?.id === "string" || Number.isInteger(body?.id) ? (body?.id as string | number) : null;
}

/** The body as a JSON object if it is one (capped read), else null: for auditing a refused request. */
export async function peekJsonObject(request: Request): Promise<Record<string, unknown> | null> {
  const raw = await readCappedText(request, MAX_BODY_BYTES).catch(() => null);
  if (!raw) return null;
  try {
    const v: unknown = JSON.parse(raw);
    return isObject(v) ? v : null;
  } catch {
    return null;
  }
}

/** POST only: GET would open an SSE stream, and this server has none to offer. 405, never 404. */
export function guardMethod(request: Request): Response | undefined {
  if (request.method === "POST") return undefined;
  return rpcError(
    405,
    null,
    -32000,
    "Method not allowed: this MCP endpoint accepts POST only (stateless, no SSE stream).",
    {
      allow: "POST",
    },
  );
}

/**
 * The body, read with a byte cap on the stream itself (a chunked body has no content-length, and buffering it
 * whole first would let an unauthenticated caller make the process hold any amount of memory), as one JSON-RPC
 * 2.0 object. Batches were removed in MCP 2025-06-18.
 */
export async function readMessage(request: Request): Promise<Record<string, unknown> | Response> {
  const raw = declaresSmallBody(request) ? await request.text() : await readCappedText(request, MAX_BODY_BYTES);
  if (raw === null) return rpcError(413, null, ProtocolErrorCode.InvalidRequest, "Request too large");
  let body: unknown;
  try {
    body = JSON.parse(raw);
  } catch {
    return rpcError(400, null, ProtocolErrorCode.ParseError, "Parse error: the body is not valid JSON");
  }
  if (Array.isArray(body))
    return rpcError(400, null, ProtocolErrorCode.InvalidRequest, "Invalid Request: JSON-RPC batches are not supported");
  if (!isObject(body) || body.jsonrpc !== "2.0")
    return rpcError(400, null, ProtocolErrorCode.InvalidRequest, "Invalid Request: expected a JSON-RPC 2.0 message");
  return body;
}

/**
 * A body whose Content-Length is within the cap can be read whole: HTTP/1.1 framing (RFC 9112 §6.3) ends the body
 * at that length, so it cannot grow past it. Reading it whole skips the stream reader, which costs about a tenth of
 * an authenticated ping. A chunked body (no Content-Length) still goes through the capped stream read.
 */
function declaresSmallBody(request: Request): boolean {
  const declared = request.headers.get("content-length");
  return declared !== null && /^\d{1,7}$/.test(declared) && Number(declared) <= MAX_BODY_BYTES;
}

/** What {@link classifyBody} answers: the SDK's verdict, or its legacy routing. */
export type EraVerdict = ReturnType<typeof classifyInboundRequest>;

/** The 2025-era routing of a request that makes no 2026-07-28 claim. */
const LEGACY_NO_CLAIM: EraVerdict = { kind: "legacy", reason: "no-claim" };
const LEGACY_HEADER_VALUES: ReadonlySet<string> = new Set(SUPPORTED_PROTOCOL_VERSIONS);

/**
 * The era of a request. A body the SDK's ladder finds malformed on its JSON-RPC shape is routed as 2025-era: our
 * own shape guard refuses it there, after the token (unauthenticated callers learn nothing about what we accept).
 *
 * Only a 2026-07-28 claim can make a request modern (MCP 2026-07-28 "Transports": the `_meta` protocol-version key,
 * or an MCP-Protocol-Version header naming a modern revision); without either, every rung of the SDK's ladder ends
 * in the legacy era. So a request with neither is routed without running the classifier, whose schema checks (a
 * result, an error and a request schema on every message) were about a tenth of an authenticated `ping`'s CPU.
 * Anything else, including a header value we do not know, goes through the SDK's classifier
 * (`classifyWithSdk`); `test/unit/mcp/era-classification.test.ts` checks the shortcut against it.
 */
export function classifyBody(request: Request, body: Record<string, unknown>): EraVerdict {
  const header = request.headers.get("mcp-protocol-version");
  if ((header === null || LEGACY_HEADER_VALUES.has(header)) && !carriesVersionClaim(body.params))
    return LEGACY_NO_CLAIM;
  return classifyWithSdk(request, body);
}

/** Whether `params._meta` holds the protocol-version key, valid or not (any such claim is the SDK's to judge). */
export function carriesVersionClaim(params: unknown): boolean {
  return isObject(params) && isObject(params._meta) && PROTOCOL_VERSION_META_KEY in params._meta;
}

/** The SDK's own classifier (the `_meta` envelope claim and the protocol headers), shape rejections routed legacy. */
export function classifyWithSdk(request: Request, body: Record<string, unknown>): EraVerdict {
  const h = request.headers;
  const era = classifyInboundRequest({
    httpMethod: "POST",
    protocolVersionHeader: h.get("mcp-protocol-version") ?? undefined,
    mcpMethodHeader: h.get("mcp-method") ?? undefined,
    mcpNameHeader: h.get("mcp-name") ?? undefined,
    body,
  });
  return era.kind === "reject" && era.rung === "jsonrpc-shape" ? LEGACY_NO_CLAIM : era;
}
