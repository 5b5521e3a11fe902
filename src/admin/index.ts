import { Elysia } from "elysia";
import type { Server } from "bun";
import type { AppContext } from "../context";
import { clientIpFor, requestIdFor } from "../http/request-context";
import { apiExportAudit, apiListConnections, apiListServers, apiQueryAudit, apiRevokeConnection } from "./api";
import css from "./assets/admin.css" with { type: "text" };
import js from "./assets/admin.js" with { type: "text" };
import {
  approveClientByIdForm,
  type AdminObservability,
  approveClientForm,
  auditDetailPage,
  auditPage,
  connectionsPage,
  createTokenForm,
  deleteClientForm,
  restoreClientForm,
  revokeConnectionForm,
  revokeTokenForm,
  serversPage,
  signIn,
  signInPage,
  signOut,
  tenantsPage,
  tokensPage,
} from "./console";
import { AdminError } from "./errors";
import { apiImport, importApplyForm, importCheckForm, importPage } from "./import";
import { ImportStash } from "./import-stash";
import {
  adminRequest,
  apiError,
  authenticateAdmin,
  hostAllowed,
  htmlResponse,
  redirect,
  type AdminRequest,
  type Authenticated,
} from "./http";
import { renderErrorPage } from "./pages/error";

type Handler = (req: AdminRequest, auth: Authenticated) => Promise<Response>;

/** The framework context fields we read; requestId and clientIp come from the edge plugin's global derive (src/app.ts). */
interface RouteContext {
  request: Request;
  server: Server<unknown> | null;
  params?: Record<string, string>;
}

function asset(body: string, type: string): Response {
  // Embedded in the binary (import ... with { type: "text" }); versioned by the binary, so a short cache is enough.
  return new Response(body, {
    headers: { "content-type": type, "cache-control": "private, max-age=300", "x-content-type-options": "nosniff" },
  });
}

/**
 * The admin console on the admin listener: HTML pages under `/`, the JSON API under `/api/mcp/` and `/api/import/`.
 * The only file of the feature that knows Elysia.
 */
export function adminRoutes(ctx: AppContext, observability: AdminObservability) {
  const toRequest = (c: RouteContext): AdminRequest => {
    const derived = c as unknown as { requestId?: string; clientIp?: string };
    return adminRequest(
      ctx,
      c.request,
      derived.clientIp ?? clientIpFor(c.request, c.server, ctx.config.server.trusted_proxies),
      derived.requestId ?? requestIdFor(c.request),
    );
  };

  const failPage = (req: AdminRequest, auth: Authenticated | null, err: AdminError): Response => {
    if (err.code === "unauthorized") {
      // Only a page view is worth returning to; a form post made without a session is simply dropped.
      return redirect(
        req.request.method === "GET"
          ? `/sign-in?next=${encodeURIComponent(req.url.pathname + req.url.search)}`
          : "/sign-in",
      );
    }
    const title =
      err.code === "not_found"
        ? "Not found"
        : err.code === "csrf_failed"
          ? "Please try again"
          : err.code === "forbidden"
            ? "Not permitted"
            : "Something is not right";
    return htmlResponse(
      renderErrorPage({
        title,
        message: err.message,
        principal: auth?.principal ?? null,
        csrf: auth?.csrf ?? null,
        requestId: req.requestId,
      }),
      err.status,
      err.headers,
    );
  };

  /** A page: signed-in session required (GET without one redirects to sign-in). */
  const page =
    (handler: Handler) =>
    async (c: RouteContext): Promise<Response> => {
      const req = toRequest(c);
      if (!hostAllowed(ctx, req)) return htmlResponse("Misdirected request", 421);
      let auth: Authenticated | null = null;
      try {
        auth = await authenticateAdmin(ctx, req);
        if (!auth?.session) throw new AdminError("unauthorized", "sign in first");
        return await handler(req, auth);
      } catch (err) {
        if (err instanceof AdminError) return failPage(req, auth, err);
        throw err;
      }
    };

  /** An API route: session or admin API token; JSON errors. */
  const api =
    (handler: Handler) =>
    async (c: RouteContext): Promise<Response> => {
      const req = toRequest(c);
      try {
        if (!hostAllowed(ctx, req)) throw new AdminError("forbidden", "this Host is not served by the admin listener");
        const auth = await authenticateAdmin(ctx, req);
        if (!auth)
          throw new AdminError("unauthorized", "sign in, or send Authorization: Bearer <admin API token>", {
            "www-authenticate": 'Bearer realm="cavaridge-admin"',
          });
        return await handler(req, auth);
      } catch (err) {
        if (err instanceof AdminError) return apiError(err);
        throw err;
      }
    };

  const param = (c: RouteContext, name: string): string => c.params?.[name] ?? "";
  const stash = new ImportStash();
  const noParse = { parse: "none" as const };

  return new Elysia({ name: "admin-console" })
    .get("/assets/admin.css", () => asset(css, "text/css; charset=utf-8"))
    .get("/assets/admin.js", () => asset(js, "text/javascript; charset=utf-8"))
    .get("/", async (c) => {
      const req = toRequest(c);
      if (!hostAllowed(ctx, req)) return htmlResponse("Misdirected request", 421);
      const auth = await authenticateAdmin(ctx, req);
      return redirect(auth?.session ? "/connections" : "/sign-in");
    })
    .get("/sign-in", async (c) => {
      const req = toRequest(c);
      if (!hostAllowed(ctx, req)) return htmlResponse("Misdirected request", 421);
      const auth = await authenticateAdmin(ctx, req);
      if (auth?.session) return redirect("/connections");
      return signInPage(req);
    })
    .post(
      "/sign-in",
      async (c) => {
        const req = toRequest(c);
        if (!hostAllowed(ctx, req)) return htmlResponse("Misdirected request", 421);
        try {
          return await signIn(ctx, req);
        } catch (err) {
          if (err instanceof AdminError) return failPage(req, null, err);
          throw err;
        }
      },
      noParse,
    )
    .post(
      "/sign-out",
      async (c) => {
        const req = toRequest(c);
        let auth: Authenticated | null = null;
        try {
          auth = await authenticateAdmin(ctx, req);
          return await signOut(ctx, req, auth);
        } catch (err) {
          if (err instanceof AdminError) return failPage(req, auth, err);
          throw err;
        }
      },
      noParse,
    )
    .get(
      "/connections",
      page((req, auth) => connectionsPage(ctx, req, auth)),
    )
    .post(
      "/connections/:id/revoke",
      (c) => page((req, auth) => revokeConnectionForm(ctx, req, auth, param(c, "id")))(c),
      noParse,
    )
    .post(
      "/clients/approve",
      page((req, auth) => approveClientByIdForm(ctx, req, auth)),
      noParse,
    )
    .post(
      "/clients/:id/approve",
      (c) => page((req, auth) => approveClientForm(ctx, req, auth, param(c, "id")))(c),
      noParse,
    )
    .post(
      "/clients/:id/delete",
      (c) => page((req, auth) => deleteClientForm(ctx, req, auth, param(c, "id")))(c),
      noParse,
    )
    .post(
      "/clients/:id/restore",
      (c) => page((req, auth) => restoreClientForm(ctx, req, auth, param(c, "id")))(c),
      noParse,
    )
    .get(
      "/audit",
      page((req, auth) => auditPage(ctx, req, auth)),
    )
    .get("/audit/:id", (c) => page((req, auth) => auditDetailPage(ctx, req, auth, param(c, "id")))(c))
    .get(
      "/servers",
      page((req, auth) => serversPage(ctx, req, auth, observability)),
    )
    .get(
      "/tenants",
      page((req, auth) => tenantsPage(ctx, req, auth)),
    )
    .get(
      "/tokens",
      page((req, auth) => tokensPage(ctx, req, auth)),
    )
    .post(
      "/tokens",
      page((req, auth) => createTokenForm(ctx, req, auth)),
      noParse,
    )
    .get(
      "/import",
      page((_req, auth) => importPage(ctx, auth)),
    )
    .post(
      "/import",
      page((req, auth) => importCheckForm(ctx, req, auth, stash)),
      noParse,
    )
    .post(
      "/import/apply",
      page((req, auth) => importApplyForm(ctx, req, auth, stash)),
      noParse,
    )
    .post("/tokens/:id/revoke", (c) => page((req, auth) => revokeTokenForm(ctx, req, auth, param(c, "id")))(c), noParse)
    .get(
      "/api/mcp/connections",
      api((req, auth) => apiListConnections(ctx, req, auth)),
    )
    .delete(
      "/api/mcp/connections/:id",
      (c) => api((req, auth) => apiRevokeConnection(ctx, req, auth, param(c, "id")))(c),
      noParse,
    )
    .get(
      "/api/mcp/audit",
      api((req, auth) => apiQueryAudit(ctx, req, auth)),
    )
    .get(
      "/api/mcp/audit/export",
      api((req, auth) => apiExportAudit(ctx, req, auth)),
    )
    .get(
      "/api/mcp/servers",
      api((req, auth) => apiListServers(ctx, req, auth)),
    )
    .post("/api/import/:kind", (c) => api((req, auth) => apiImport(ctx, req, auth, param(c, "kind")))(c), noParse);
}
