import { countCallsBySurface, type AuditVisibility } from "../audit/query";
import { SURFACES, type Config, type SurfaceName } from "../config/schema";
import type { ToolAnnotations } from "../mcp/define-tool";
import { unreachableNote } from "../ops/banner";
import { pathResourceUrl, protectedResourceMetadataUrl, resourceUrl } from "../oauth/resource";
import type { DbLike } from "../store/index";
import { SURFACE_REGISTRY } from "../surfaces/index";

/** One tool as GET /{surface}/list_tools shows it (the MCP tools/list entry), plus the scope it needs. */
export interface CatalogTool {
  name: string;
  title: string;
  description: string;
  scope: string;
  destructive: boolean;
  annotations: ToolAnnotations;
  inputSchema: unknown;
}

export interface ServerInventoryEntry {
  surface: SurfaceName;
  title: string;
  enabled: boolean;
  /** The URL to paste into ChatGPT or Claude: `${surface_url}/mcp` when server.surface_urls names one, else the path URL. */
  url: string;
  /** Why ChatGPT and Claude cannot reach `url` (not https on 443), or null (src/ops/banner.ts, the same note as serve's). */
  reachabilityNote: string | null;
  protectedResourceMetadataUrl: string;
  toolCatalogUrl: string;
  callsLast24h: number;
  tools: CatalogTool[];
}

/** The tool catalog of a surface from its manifest: the same definitions the MCP surface serves. */
export async function toolCatalog(surface: SurfaceName): Promise<CatalogTool[]> {
  return (await SURFACE_REGISTRY[surface].loadTools()).map((t) => ({
    name: t.name,
    title: t.title,
    description: t.description,
    scope: t.scope,
    destructive: t.destructive,
    annotations: t.annotations,
    inputSchema: t.inputSchema,
  }));
}

/** Every surface with its URLs, state, last-24h call count (within `visibility`) and tools. */
export async function buildServerInventory(
  db: DbLike,
  config: Config,
  visibility: AuditVisibility,
  now: number,
): Promise<ServerInventoryEntry[]> {
  const calls = await countCallsBySurface(db, visibility, now - 24 * 3_600_000);
  const catalogs = await Promise.all(SURFACES.map(toolCatalog));
  return SURFACES.map((surface, i) => ({
    surface,
    title: SURFACE_REGISTRY[surface].title,
    enabled: config.surfaces[surface],
    url: resourceUrl(config, surface),
    reachabilityNote: unreachableNote(resourceUrl(config, surface)),
    protectedResourceMetadataUrl: protectedResourceMetadataUrl(config, surface),
    // The catalog is served by path on public_url only (the own-host endpoint is just /mcp).
    toolCatalogUrl: `${pathResourceUrl(config, surface)}/list_tools`,
    callsLast24h: calls[surface] ?? 0,
    tools: catalogs[i]!,
  }));
}
