import {
  type CacheHint,
  type jsonSchemaValidator,
  ProtocolError,
  ProtocolErrorCode,
  type RequestStateCodec,
  Server,
  type Tool,
} from "@modelcontextprotocol/server";
import type { SurfaceName } from "../config/schema";
import type { AppContext } from "../context";
import { mcpAuditEvent } from "./audit-event";
import { callAccessOf } from "./auth";
import { runToolCall } from "./call-tool";
import { confirmationChannelOf, verifyConfirmationState } from "./confirm-input";
import type { ToolDefinition } from "./define-tool";
import type { TenantDirectory } from "./tenant-scope";

export const SURFACE_TITLES: Record<SurfaceName, string> = {
  forge: "Cavaridge Forge (AI tools, knowledge base)",
  cavalier: "Cavaridge Operations (quotes, deals)",
  aegis: "Cavaridge AEGIS (posture, findings)",
};

export const APPLIANCE_VERSION = "0.1.0";

/**
 * How long a client may reuse tools/list and server/discover (MCP 2026-07-28 caching, `ttlMs` / `cacheScope`). The
 * tool list is the same for every caller and connection (it is also the public catalog at /{surface}/list_tools),
 * so it may be shared; it changes only when the appliance is upgraded.
 */
const LIST_CACHE: CacheHint = { ttlMs: 300_000, cacheScope: "public" };

/**
 * A tool as tools/list shows it. `securitySchemes` is the OpenAI Apps SDK's per-tool auth declaration
 * (developers.openai.com/apps-sdk/build/auth, "per-tool authentication with securitySchemes"): ChatGPT reads the
 * scope each tool needs from it; other clients ignore the extra key.
 */
export function toWireTool(t: ToolDefinition): Tool & { securitySchemes: { type: "oauth2"; scopes: string[] }[] } {
  return {
    name: t.name,
    title: t.title,
    description: t.description,
    inputSchema: t.inputSchema as Tool["inputSchema"],
    outputSchema: t.outputSchema as Tool["outputSchema"],
    annotations: { title: t.title, ...t.annotations },
    securitySchemes: [{ type: "oauth2", scopes: [t.scope] }],
  };
}

export interface SurfaceServerDeps {
  ctx: AppContext;
  surface: SurfaceName;
  tools: ReadonlyMap<string, ToolDefinition>;
  directory: TenantDirectory;
  codec: RequestStateCodec<{ cid: string }>;
  validator?: jsonSchemaValidator;
}

/**
 * The one factory of a surface's SDK `Server`, for both eras: the long-lived 2025-era Server and each 2026-07-28
 * request's Server are built here, so the two can never offer different tools or rules. Every tools/call goes to
 * runToolCall with the per-call access the surface put in `authInfo` (never from headers: the SDK passes it
 * through untouched).
 */
export function surfaceServerFactory(deps: SurfaceServerDeps): () => Server {
  const { ctx, surface, tools, directory, codec } = deps;
  // Built on the first tools/list, not at start: each tool's JSON Schema costs its arktype conversion.
  let listResult: { tools: ReturnType<typeof toWireTool>[] } | null = null;
  const serverInfo = { name: `cavaridge-${surface}`, title: SURFACE_TITLES[surface], version: APPLIANCE_VERSION };
  const verify = verifyConfirmationState(codec);
  const instructions =
    `Cavaridge ${surface} tools. Destructive tools ask the user to confirm: 2026-07-28 clients with form elicitation get ` +
    "an input_required form; other clients first get status confirmation_required with a summary: show it to the user " +
    "and re-invoke with the same arguments plus confirmed: true and the confirmation_token only after they approve.";

  return () => {
    const server = new Server(serverInfo, {
      // logging: setLevel is accepted (SDK handler); the surfaces emit no log notifications in plain-JSON mode.
      capabilities: { tools: { listChanged: false }, logging: {} },
      instructions,
      cacheHints: { "tools/list": LIST_CACHE, "server/discover": LIST_CACHE },
      // Our legacy leg answers over plain JSON with no stream for server-to-client requests; 2025-era clients get
      // the confirmation envelope instead, so the SDK's server-side shim must never run.
      inputRequired: { legacyShim: false },
      requestState: { verify },
      ...(deps.validator ? { jsonSchemaValidator: deps.validator } : {}),
    });
    server.setRequestHandler("tools/list", async () => {
      listResult ??= { tools: [...tools.values()].map(toWireTool) };
      return listResult;
    });
    server.setRequestHandler("tools/call", async (request, reqCtx) => {
      const call = callAccessOf(reqCtx.http?.authInfo);
      if (!call) throw new ProtocolError(ProtocolErrorCode.InternalError, "request context lost");
      const name = request.params.name;
      const tool = tools.get(name);
      if (!tool) {
        await ctx.audit.record(
          mcpAuditEvent(
            { surface, meta: call.meta, access: call.access, tool: name, action: `${surface}.${name}` },
            "invalid_input",
            {
              error: "unknown tool",
              arguments: request.params.arguments,
            },
          ),
        );
        // MCP 2025-11-25 "Tools / Error Handling": an unknown tool is a protocol error.
        throw new ProtocolError(ProtocolErrorCode.InvalidParams, `Unknown tool: ${name}`);
      }
      try {
        return await runToolCall(
          ctx,
          directory,
          surface,
          tool,
          request.params.arguments,
          call.access,
          call.meta,
          confirmationChannelOf(reqCtx, codec),
        );
      } catch (err) {
        // Only the store failing (e.g. disk full, so not even the audit row commits) gets here: runToolCall turns
        // every tool error into a result. Never pass the raw database message to the client: it names tables and
        // values. Nothing was answered without its audit row; the caller gets the request id to quote.
        ctx.log.error("tools/call failed before its audit row committed", {
          request_id: call.meta.requestId,
          surface,
          tool: tool.name,
          error: err,
        });
        throw new ProtocolError(ProtocolErrorCode.InternalError, `Internal error; request id ${call.meta.requestId}`);
      }
    });
    return server;
  };
}
