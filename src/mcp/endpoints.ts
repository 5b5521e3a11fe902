import type { SurfaceName } from "../config/schema";
import type { AppContext } from "../context";
import {
  pathProtectedResourceMetadataUrl,
  pathResourceUrl,
  protectedResourceMetadataUrl,
  resourceUrl,
  surfaceBaseUrl,
} from "../oauth/resource";
import { allowedHostnames } from "./hostnames";

/** Which of a surface's endpoints a request came in on (see docs in README, "One hostname per surface"). */
export type SurfaceEndpointKind = "path" | "host" | "host-root";

/** What differs between a surface's endpoints: the names it answers to, the token audience, the PRM it points at. */
export interface SurfaceEndpoint {
  allowed: ReadonlySet<string>;
  resource: string;
  /** `resource` parsed once: the expected token audience and the `authInfo.resource` of every call. */
  resourceUrl: URL;
  resourceMetadataUrl: string;
}

/** A surface's endpoints: the path ones on public_url, and with server.surface_urls its own host's. */
export function surfaceEndpoints(
  ctx: AppContext,
  surface: SurfaceName,
): { path: SurfaceEndpoint } & Partial<Record<SurfaceEndpointKind, SurfaceEndpoint>> {
  const endpoint = (allowed: ReadonlySet<string>, resource: string, resourceMetadataUrl: string): SurfaceEndpoint => ({
    allowed,
    resource,
    resourceUrl: new URL(resource),
    resourceMetadataUrl,
  });
  const allowed = allowedHostnames(ctx.config);
  const path = endpoint(
    allowed,
    pathResourceUrl(ctx.config, surface),
    pathProtectedResourceMetadataUrl(ctx.config, surface),
  );
  const ownBase = surfaceBaseUrl(ctx.config, surface);
  if (!ownBase) return { path };
  // The surface's own host is accepted here only, never by the path endpoints nor by another surface (the loader
  // keeps it out of allowed_hosts): a token for this host cannot be replayed elsewhere through a Host header.
  const hostAllowed = new Set([...allowed, new URL(ownBase).hostname.toLowerCase()]);
  const resource = resourceUrl(ctx.config, surface);
  return {
    path,
    host: endpoint(hostAllowed, resource, protectedResourceMetadataUrl(ctx.config, surface)),
    "host-root": endpoint(hostAllowed, resource, `${ownBase}/.well-known/oauth-protected-resource`),
  };
}
