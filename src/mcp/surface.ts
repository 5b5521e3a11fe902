import {
  type AuthInfo,
  createMcpHandler,
  isJSONRPCNotification,
  isJSONRPCRequest,
  type JSONRPCRequest,
  type jsonSchemaValidator,
  OAuthError,
  OAuthErrorCode,
  ProtocolErrorCode,
  SUPPORTED_PROTOCOL_VERSIONS,
  verifyBearerToken,
} from "@modelcontextprotocol/server";
import type { SurfaceName } from "../config/schema";
import type { AppContext } from "../context";
import type { CallMeta } from "./audit-event";
import { type SurfaceAccess, type SurfaceAuth, toAuthInfo } from "./auth";
import { confirmationStateCodec } from "./confirm-input";
import type { ToolDefinition } from "./define-tool";
import { type SurfaceEndpoint, type SurfaceEndpointKind, surfaceEndpoints } from "./endpoints";
import {
  classifyBody,
  type EraVerdict,
  guardMethod,
  idOf,
  isObject,
  jsonResponse,
  MAX_BODY_BYTES,
  peekJsonObject,
  readMessage,
  rpcError,
} from "./http-edge";
import { RefusalAudit, type RefusalOutcome } from "./refusal-audit";
import { APPLIANCE_VERSION, SURFACE_TITLES, surfaceServerFactory, toWireTool } from "./server";
import { TenantDirectory } from "./tenant-scope";
import { DispatchTransport, UNANSWERED_MESSAGE } from "./transport";
import { checkHostAndOrigin } from "./trust";
import { capCodePoints } from "../shared/text";

export { APPLIANCE_VERSION, SURFACE_TITLES };
export type { SurfaceEndpointKind };

/** The current revision (MCP 2026-07-28): stateless, a `_meta` envelope on every request, no initialize. */
export const MODERN_PROTOCOL_VERSION = "2026-07-28";
/** The 2025-era revisions the legacy leg serves (initialize, then stateless requests on the negotiated revision). */
export const LEGACY_PROTOCOL_VERSIONS: readonly string[] = SUPPORTED_PROTOCOL_VERSIONS;
/** Every revision a surface speaks, newest first. */
export const PROTOCOL_VERSIONS: readonly string[] = [MODERN_PROTOCOL_VERSION, ...LEGACY_PROTOCOL_VERSIONS];
const LEGACY = new Set(LEGACY_PROTOCOL_VERSIONS);

/** Per-request facts from the HTTP edge. */
export interface RequestMeta {
  requestId: string;
  ip: string | null;
}

export interface SurfaceHandler {
  readonly surface: SurfaceName;
  readonly tools: readonly ToolDefinition[];
  /**
   * The MCP endpoint: Request -> Response, any method. `via` says which endpoint the request came in on:
   * "path" (default) `/{surface}` and `/{surface}/mcp` on public_url; "host" `/mcp` and "host-root" `/` on the
   * surface's own hostname (server.surface_urls, routed by Host). Each has its own resource, Host allowlist and PRM.
   */
  handle(request: Request, meta: RequestMeta, via?: SurfaceEndpointKind): Promise<Response>;
  /** `GET /{surface}/list_tools`: the public catalog. */
  catalog(request: Request): Response;
  close(): Promise<void>;
}

export interface SurfaceOptions {
  /** One JSON Schema validator shared by every Server (each would otherwise build its own). */
  validator?: jsonSchemaValidator;
  directory?: TenantDirectory;
  /**
   * The key of the `requestState` codec (32 bytes). The appliance derives it from the master secret, so every
   * process accepts what another minted; absent (tests), a random per-process key.
   */
  requestStateKey?: Uint8Array;
}

/** One HTTP request on its way through the pipeline: what the guards before have established. */
interface Exchange {
  request: Request;
  meta: CallMeta;
  endpoint: SurfaceEndpoint;
}

/** A verified bearer token: the access for our guards, and the SDK's `AuthInfo` for the Server (src/mcp/auth.ts). */
interface Authenticated {
  access: SurfaceAccess;
  authInfo: AuthInfo;
}

/** A request classified by era (MCP 2026-07-28 "Transports": the `_meta` envelope claim decides). */
type Era = "modern" | "legacy";

/**
 * One MCP surface, serving MCP 2026-07-28 and the 2025 revisions at the same URLs through one SDK `Server`
 * factory. The request runs through named guards, each answering with a Response or letting it pass, in this
 * order: Host/Origin (403), method (405), body and JSON-RPC framing (413, -32700, -32600), `server/discover`
 * (answered without a token), bearer token (401 challenge), era classification and protocol-version headers
 * (the SDK's ladder: -32602, -32020, 400), message shape (-32600), notifications (202), tool params and scope
 * (-32602, 403 insufficient_scope). Every refusal is audited. Then:
 * - 2026-07-28 requests go to the SDK's `createMcpHandler` (stateless, one Server per request, plain JSON);
 * - 2025-era requests go to one long-lived Server behind a `DispatchTransport`: stateless as before, no
 *   Mcp-Session-Id, and a tools/call from a client that never sent initialize is answered.
 * Per-call access travels to the handlers in the SDK's `authInfo`.
 */
export function createSurfaceHandler(
  ctx: AppContext,
  surface: SurfaceName,
  tools: readonly ToolDefinition[],
  auth: SurfaceAuth,
  options: SurfaceOptions = {},
): SurfaceHandler {
  const byName = new Map<string, ToolDefinition>();
  for (const t of tools) {
    if (byName.has(t.name)) throw new Error(`surface ${surface}: duplicate tool ${t.name}`);
    byName.set(t.name, t);
  }
  // Built on first use, not at start: each tool's JSON Schema costs its arktype conversion.
  let catalogBody: string | null = null;
  const catalogJson = () =>
    (catalogBody ??= JSON.stringify({
      surface,
      title: SURFACE_TITLES[surface],
      tools: tools.map((t) => ({ ...toWireTool(t), scope: t.scope })),
    }));
  const endpoints = surfaceEndpoints(ctx, surface);
  const surfaceScopes = [`${surface}:read`, `${surface}:write`];
  const directory =
    options.directory ?? new TenantDirectory(ctx.store.db, undefined, undefined, () => ctx.store.changeSignal());
  const codec = confirmationStateCodec(
    options.requestStateKey ?? crypto.getRandomValues(new Uint8Array(32)),
    ctx.config.oauth.confirmation_ttl_seconds,
  );
  const newServer = surfaceServerFactory({
    ctx,
    surface,
    tools: byName,
    directory,
    codec,
    validator: options.validator,
  });

  // 2026-07-28: the SDK's stateless entry; legacy traffic never reaches it (routed below), so it refuses any.
  const modern = createMcpHandler(() => newServer(), {
    legacy: "reject",
    responseMode: "auto",
    maxRequestBodySize: MAX_BODY_BYTES,
    onerror: (err) => ctx.log.warn("mcp modern leg error", { surface, error: err.message.slice(0, 200) }),
  });
  // 2025 era: one long-lived Server (a Server per request costs its setup on every call).
  const legacyServer = newServer();
  const transport = new DispatchTransport();
  // The Protocol reports messages it drops through onerror; the transport answers them instead of hanging.
  legacyServer.onerror = (err) => {
    transport.serverError(err);
    ctx.log.warn("mcp server error", { surface, error: err.message.slice(0, 200) });
  };
  void legacyServer.connect(transport);

  const refusals = new RefusalAudit(surface, ctx.audit, ctx.clock, ctx.log, (name) => byName.get(name)?.action);
  const refuse = (
    x: Exchange,
    body: Record<string, unknown> | null,
    reason: string,
    outcome: RefusalOutcome,
    access?: SurfaceAccess,
  ) => refusals.record({ meta: x.meta, body, reason, outcome, ...(access ? { access } : {}) });

  /** Host and Origin (DNS-rebinding protection, MCP 2025-11-25 "Transports / Security Warning"): 403. */
  async function guardHostAndOrigin(x: Exchange): Promise<Response | undefined> {
    const h = x.request.headers;
    const refusal = checkHostAndOrigin(h.get("host"), h.get("origin"), x.endpoint.allowed);
    if (!refusal) return undefined;
    const body = x.request.method === "POST" ? await peekJsonObject(x.request) : null;
    await refuse(x, body, refusal, "denied_origin");
    return rpcError(403, null, -32000, `Forbidden: ${refusal}`);
  }

  /**
   * `server/discover` is answered without a token (clients probe with it before they authenticate). With the
   * 2026-07-28 envelope it is the SDK's answer; a hand-built probe without one (ChatGPT sends those) gets every
   * revision we speak, so it can fall back to initialize.
   */
  async function answerDiscover(
    x: Exchange,
    body: Record<string, unknown>,
    era: Era | "reject",
  ): Promise<Response | undefined> {
    if (body.method !== "server/discover" || idOf(body) === null) return undefined;
    if (era === "modern") return await modern.fetch(x.request, { parsedBody: body });
    if (era === "reject") return undefined;
    return jsonResponse({
      jsonrpc: "2.0",
      id: idOf(body),
      result: {
        supportedVersions: PROTOCOL_VERSIONS,
        protocolVersion: LEGACY_PROTOCOL_VERSIONS[0],
        serverInfo: { name: `cavaridge-${surface}`, title: SURFACE_TITLES[surface], version: APPLIANCE_VERSION },
        capabilities: { tools: { listChanged: false }, logging: {} },
      },
    });
  }

  /**
   * The bearer token on every request (MCP "Authorization": no session carries it), verified by the SDK's
   * `verifyBearerToken` over our verifier (signature, audience = this endpoint's resource, expiry, live grant);
   * refused with the RFC 6750 / RFC 9728 challenge that points at this endpoint's PRM.
   */
  async function authenticate(x: Exchange, body: Record<string, unknown>): Promise<Authenticated | Response> {
    const header = x.request.headers.get("authorization");
    if (!header) {
      await refuse(x, body, "no bearer token", "unauthorized");
      return auth.challenge(surface, "missing", { resourceMetadataUrl: x.endpoint.resourceMetadataUrl });
    }
    let access: SurfaceAccess | undefined;
    let authInfo: AuthInfo;
    try {
      authInfo = await verifyBearerToken(header, {
        verifier: {
          async verifyAccessToken(token): Promise<AuthInfo> {
            try {
              access = await auth.verify(token, surface, x.endpoint.resource);
            } catch (err) {
              const code = (err as { code?: string }).code;
              if (code !== "invalid_token" && code !== "insufficient_scope") throw err;
              throw new OAuthError(OAuthErrorCode.InvalidToken, (err as Error).message || "invalid token");
            }
            return toAuthInfo(access, x.meta, x.endpoint.resourceUrl);
          },
        },
        expectedResource: x.endpoint.resourceUrl,
        resourceMetadataUrl: x.endpoint.resourceMetadataUrl,
      });
    } catch (err) {
      if (!(err instanceof OAuthError)) throw err;
      await refuse(x, body, err.message || "invalid token", "unauthorized");
      return auth.challenge(surface, "invalid_token", {
        description: "The access token is invalid, expired or revoked",
        resourceMetadataUrl: x.endpoint.resourceMetadataUrl,
      });
    }
    if (!access) throw new Error("bearer verification passed without an access context");
    // The SDK's AuthInfo (carrying the access and the call's audit facts) goes on to the Server as it is.
    return { access, authInfo };
  }

  /**
   * The era and the protocol-version headers. 2026-07-28 requests are classified and validated by the SDK's own
   * ladder (`classifyInboundRequest`: envelope, MCP-Protocol-Version / Mcp-Method / Mcp-Name against the body,
   * -32020 on a mismatch); 2025-era requests may name a 2025 revision in MCP-Protocol-Version (400 otherwise,
   * MCP 2025-11-25 "Transports / Protocol Version Header"). Refusals are audited with the principal.
   */
  async function guardProtocolVersion(
    x: Exchange,
    body: Record<string, unknown>,
    era: EraVerdict,
    access: SurfaceAccess,
  ): Promise<Response | undefined> {
    if (era.kind === "reject") {
      await refuse(x, body, capCodePoints(`${era.rung}: ${era.message}`, 300), "invalid_request", access);
      return jsonResponse(
        {
          jsonrpc: "2.0",
          id: idOf(body),
          error: { code: era.code, message: era.message, ...(era.data ? { data: era.data } : {}) },
        },
        era.httpStatus,
      );
    }
    const version = x.request.headers.get("mcp-protocol-version");
    if (era.kind === "legacy" && version !== null && !LEGACY.has(version)) {
      const shown = capCodePoints(version, 40);
      await refuse(x, body, `unsupported MCP-Protocol-Version ${shown}`, "invalid_request", access);
      return rpcError(
        400,
        idOf(body),
        ProtocolErrorCode.InvalidRequest,
        `Bad Request: unsupported MCP-Protocol-Version ${shown}; supported: ${PROTOCOL_VERSIONS.join(", ")}`,
      );
    }
    return undefined;
  }

  /**
   * Exactly the shapes the SDK's Protocol accepts (strict: no unknown top-level keys, params an object, _meta an
   * object, id a string or integer); anything else it would drop without an answer. JSON-RPC 2.0 section 5.1.
   */
  async function guardMessageShape(
    x: Exchange,
    body: Record<string, unknown>,
    access: SurfaceAccess,
  ): Promise<Response | undefined> {
    const method = typeof body.method === "string" ? body.method : undefined;
    if (!method) return undefined;
    const hasId = body.id !== undefined;
    if (hasId ? isJSONRPCRequest(body) : isJSONRPCNotification(body)) return undefined;
    if (method === "tools/call") await refuse(x, body, "invalid JSON-RPC request", "invalid_input", access);
    return rpcError(
      400,
      idOf(body),
      ProtocolErrorCode.InvalidRequest,
      "Invalid Request: not a valid JSON-RPC 2.0 request (check params, _meta and id)",
    );
  }

  /** tools/call needs a name and object arguments; the tool's scope must be in the token (403 insufficient_scope). */
  async function guardToolCall(
    x: Exchange,
    body: Record<string, unknown>,
    access: SurfaceAccess,
  ): Promise<Response | undefined> {
    if (body.method !== "tools/call") return undefined;
    const params = isObject(body.params) ? body.params : {};
    if (typeof params.name !== "string" || (params.arguments !== undefined && !isObject(params.arguments))) {
      // Audited here because the SDK would refuse it before any tool code (and its audit) runs.
      await refuse(x, body, "malformed tools/call params", "invalid_input", access);
      return rpcError(
        200,
        idOf(body),
        ProtocolErrorCode.InvalidParams,
        "Invalid params: tools/call needs a string name and an object of arguments",
      );
    }
    const tool = byName.get(params.name);
    if (!tool || access.scopes.includes(tool.scope)) return undefined;
    await refuse(x, body, `missing scope ${tool.scope}`, "denied_scope", access);
    // Name every scope the client should hold for this surface, so one step-up suffices (SEP-835).
    const needed = [...new Set([...access.scopes.filter((s) => surfaceScopes.includes(s)), tool.scope])];
    return auth.challenge(surface, "insufficient_scope", {
      scopes: needed,
      description: `${tool.name} requires the ${tool.scope} scope`,
      resourceMetadataUrl: x.endpoint.resourceMetadataUrl,
    });
  }

  /** A 2025-era request to the long-lived Server; one audit row per tools/call even when the Server never answers. */
  async function dispatchLegacy(
    x: Exchange,
    body: Record<string, unknown>,
    { access, authInfo }: Authenticated,
  ): Promise<Response> {
    const reply = await transport.dispatch(body as unknown as JSONRPCRequest, { authInfo });
    if (body.method === "tools/call" && "error" in reply && reply.error.message === UNANSWERED_MESSAGE) {
      // The backstop answered, so no tool code wrote its audit row: one row per tools/call, whatever happened.
      await refuse(x, body, "the server did not answer", "failed", access);
    }
    return jsonResponse(reply, 200);
  }

  /**
   * A 2026-07-28 request to the SDK's stateless entry. What its own ladder refuses after ours (e.g. an envelope naming
   * a revision we do not serve: HTTP 400 with the supported list) is audited like the refusals above.
   */
  async function dispatchModern(
    x: Exchange,
    body: Record<string, unknown>,
    { access, authInfo }: Authenticated,
  ): Promise<Response> {
    const res = await modern.fetch(x.request, { parsedBody: body, authInfo });
    if (res.status >= 400) {
      const answer = (await res
        .clone()
        .json()
        .catch(() => null)) as { error?: { message?: string } } | null;
      const reason = `refused by the 2026-07-28 ladder: ${answer?.error?.message ?? `HTTP ${res.status}`}`;
      await refuse(x, body, capCodePoints(reason, 300), "invalid_request", access);
    }
    return res;
  }

  return {
    surface,
    tools,
    async handle(request, edge, via = "path") {
      const x: Exchange = {
        request,
        meta: { requestId: edge.requestId, ip: edge.ip, startedAt: performance.now() },
        endpoint: endpoints[via] ?? endpoints.path,
      };
      const early = (await guardHostAndOrigin(x)) ?? guardMethod(request);
      if (early) return early;
      const body = await readMessage(request);
      if (body instanceof Response) return body;
      const era = classifyBody(request, body);
      const discovered = await answerDiscover(x, body, era.kind === "reject" ? "reject" : era.kind);
      if (discovered) return discovered;

      const authenticated = await authenticate(x, body);
      if (authenticated instanceof Response) return authenticated;
      const { access } = authenticated;
      const refused =
        (await guardProtocolVersion(x, body, era, access)) ??
        (era.kind === "legacy" ? await guardMessageShape(x, body, access) : undefined);
      if (refused) return refused;

      const method = typeof body.method === "string" ? body.method : undefined;
      if (!method || body.id === undefined) {
        // Notifications and responses: accepted, nothing to answer (Streamable HTTP: 202, no body).
        if (era.kind === "legacy" && method && !method.startsWith("notifications/cancelled"))
          transport.onmessage?.(body as never, {});
        return new Response(null, { status: 202 });
      }
      const scoped = await guardToolCall(x, body, access);
      if (scoped) return scoped;

      if (era.kind === "modern") return await dispatchModern(x, body, authenticated);
      return await dispatchLegacy(x, body, authenticated);
    },
    catalog(request) {
      const refusal = checkHostAndOrigin(request.headers.get("host"), null, endpoints.path.allowed);
      if (refusal) return jsonResponse({ error: "forbidden", error_description: refusal }, 403);
      return new Response(catalogJson(), {
        headers: { "content-type": "application/json", "cache-control": "public, max-age=60" },
      });
    },
    async close() {
      await refusals.close();
      await modern.close();
      await legacyServer.close();
    },
  };
}
