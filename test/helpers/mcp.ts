import { type } from "arktype";
import { eq } from "drizzle-orm";
import type { SurfaceName } from "../../src/config/schema";
import type { AppContext } from "../../src/context";
import type { SurfaceAccess, SurfaceAuth } from "../../src/mcp/auth";
import { defineTool, ToolError, type ToolDefinition } from "../../src/mcp/define-tool";
import { createSurfaceHandler, type SurfaceHandler } from "../../src/mcp/surface";
import { storeMeta, tenants } from "../../src/store/schema/tenancy";
import { userIdForEmail } from "../../src/tenancy/sync";
import { requestIdFor } from "../../src/http/request-context";

/**
 * Fixture tools that exercise every rule of the call path without depending on the product tools:
 * a read tool, a destructive tool that writes (into store_meta, so the transactional write can be observed),
 * a tool that breaks a business rule, and one that crashes.
 */
export function fixtureTools(surface: SurfaceName): ToolDefinition[] {
  const TenantArg = type("string > 0").describe("the tenant to act on, e.g. contosocare");
  return [
    defineTool({
      name: "fixture_read_tenant",
      title: "fixture.read_tenant",
      action: "fixture.read_tenant",
      description: "Use when you need a tenant's display name.",
      input: type({ tenant_id: TenantArg }),
      output: type({ tenant_id: "string", name: "string" }),
      scope: `${surface}:read`,
      annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
      handler: async (input, ctx) => {
        ctx.scope.require(input.tenant_id);
        const [row] = await ctx.db.select().from(tenants).where(eq(tenants.id, input.tenant_id));
        return { tenant_id: input.tenant_id, name: row?.name ?? "?" };
      },
    }),
    defineTool({
      name: "fixture_write_note",
      title: "fixture.write_note",
      action: "fixture.write_note",
      description: "Use when the user asks to store a note for a tenant.",
      input: type({
        tenant_id: TenantArg,
        key: type(/^[a-z0-9-]{1,40}$/).describe("note key, lowercase"),
        text: type("string <= 200").describe("the note text"),
      }),
      output: type({ key: "string", stored: "boolean" }),
      scope: `${surface}:write`,
      annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: false },
      preview: async (input, ctx) => {
        ctx.scope.require(input.tenant_id);
        return { summary: `Store note ${input.key} for ${input.tenant_id}: "${input.text}".`, proposal: { ...input } };
      },
      handler: async (input, ctx) => {
        ctx.scope.require(input.tenant_id);
        if (input.text === "fail-after-write") {
          await ctx.db.insert(storeMeta).values({ key: `note:${input.key}`, value: input.text, updatedAt: ctx.now });
          throw new ToolError("the note was refused after writing; nothing must remain");
        }
        await ctx.db.insert(storeMeta).values({ key: `note:${input.key}`, value: input.text, updatedAt: ctx.now });
        return { key: input.key, stored: true };
      },
    }),
    defineTool({
      name: "fixture_strict",
      title: "fixture.strict",
      action: "fixture.strict",
      description: "Use when testing business rules.",
      input: type({ n: type("number.integer").describe("an even number") }),
      output: type({ half: "number" }),
      scope: `${surface}:read`,
      annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
      handler: async (input) => {
        if (input.n % 2 !== 0) throw new ToolError("n must be even: pass an even number such as 4");
        if (input.n === 666) throw new Error("boom");
        return { half: input.n / 2 };
      },
    }),
  ];
}

export function accessFor(
  email: string,
  role: SurfaceAccess["role"],
  tenantId: string,
  surface: SurfaceName,
  scopes: string[],
  clientId = "cli_test",
): SurfaceAccess {
  return {
    grantId: `grt_${email}_${clientId}`,
    tokenId: "at_test",
    userId: userIdForEmail(email),
    email,
    userName: email.split("@")[0]!,
    role,
    tenantId,
    clientId,
    clientName: "Test client",
    surface,
    scopes,
    expiresAt: Date.now() + 3600_000,
  };
}

/** A stand-in for the OAuth verifier: a fixed token -> access table. Used only to test the transport in isolation. */
export function tableAuth(table: Record<string, SurfaceAccess>): SurfaceAuth {
  return {
    async verify(token, surface) {
      const a = table[token];
      if (!a || a.surface !== surface) throw Object.assign(new Error("bad token"), { code: "invalid_token" });
      return a;
    },
    challenge(surface, kind, opts) {
      const status = kind === "insufficient_scope" ? 403 : 401;
      const err = kind === "missing" ? "" : `error="${kind}", `;
      return new Response(JSON.stringify({ error: kind }), {
        status,
        headers: {
          "content-type": "application/json",
          "www-authenticate": `Bearer ${err}resource_metadata="x/${surface}", scope="${(opts?.scopes ?? []).join(" ")}"`,
        },
      });
    },
  };
}

/** Serves one surface handler on a random loopback port (Bun.serve), for transport tests. */
export function serveSurface(
  ctx: AppContext,
  surface: SurfaceName,
  tools: ToolDefinition[],
  auth: SurfaceAuth,
): { url: string; handler: SurfaceHandler; stop(): void } {
  const handler = createSurfaceHandler(ctx, surface, tools, auth);
  const server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    fetch: (req, srv) => {
      const path = new URL(req.url).pathname;
      if (path === `/${surface}/list_tools`) return handler.catalog(req);
      return handler.handle(req, { requestId: requestIdFor(req), ip: srv.requestIP(req)?.address ?? null });
    },
  });
  return { url: `http://127.0.0.1:${server.port}/${surface}`, handler, stop: () => void server.stop(true) };
}
