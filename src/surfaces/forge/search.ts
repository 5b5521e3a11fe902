import { and, asc, eq, inArray, isNull, sql, type SQL } from "drizzle-orm";
import type { DbLike } from "../../store/index";
import { forgeDocuments } from "../../store/schema/forge";
import { tenants } from "../../store/schema/tenancy";
import type { TenantScope } from "../../tenancy/scope";
import { decodeCursor, encodeCursor } from "../kit/cursor";
import { resolveTenant } from "../kit/tenant";
import { countWithinBudget, pageLimit } from "../kit/page";
import { ForgeError } from "./errors";
import { splitTags, type DocumentKind, visibilityFor, visibleCondition } from "./documents";

/** Knowledge search: SQLite FTS5 MATCH ranked by bm25 (https://www.sqlite.org/fts5.html#the_bm25_function). */
const STOPWORDS = new Set(
  (
    "a an and are as at be by can do does for from how i in is it me my of on or our please should " +
    "the this to we what when where which who why with you your"
  ).split(" "),
);

/**
 * Turns free text into a safe FTS5 query: words only (no FTS syntax from the caller reaches MATCH), stopwords
 * dropped, each word quoted, OR-ed so partial matches still rank (bm25 rewards documents matching more terms).
 */
export function ftsQueryFor(text: string): string | null {
  const words = (text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []).filter((w) => !STOPWORDS.has(w) && w.length > 1);
  const unique = [...new Set(words)].slice(0, 16);
  if (unique.length === 0) return null;
  return unique.map((w) => `"${w}"`).join(" OR ");
}

export interface SearchResult {
  items: SearchHit[];
  nextCursor: string | null;
  /** The FTS5 query the words became (ftsQueryFor). */
  queryTerms: string;
  note: string;
}

export interface SearchHit {
  id: string;
  kind: DocumentKind;
  tenantId: string;
  scope: "tenant" | "msp_wide";
  title: string;
  summary: string;
  snippet: string;
  tags: string[];
  version: number;
  updatedAt: string;
  score: number;
}

/** bm25 column weights: title, summary, body, tags. A title hit is worth ten body hits. */
const BM25_WEIGHTS = "10.0, 4.0, 1.0, 6.0";
/** Documents of the tenant being asked about rank above equally relevant MSP-wide ones. */
const TENANT_BOOST = 1.5;

export async function searchKnowledge(
  db: DbLike,
  scope: TenantScope,
  input: {
    query: string;
    kinds?: DocumentKind[];
    tenantId?: string;
    cursor?: string;
    limit?: number;
    /**
     * How many of the hits fit in one page as the caller will receive them; the tool measures its wire form.
     * Without it the hits themselves are measured (kit/page.ts countWithinBudget).
     */
    fit?: (hits: SearchHit[]) => number;
  },
): Promise<SearchResult> {
  const match = ftsQueryFor(input.query);
  if (!match)
    throw new ForgeError(
      "invalid_input",
      "query must contain at least one meaningful word, e.g. 'legacy authentication' or 'offboarding'",
    );
  const limit = pageLimit(input.limit);
  const [offset] = decodeCursor("forge.search", input.cursor, ["count"]) ?? [0];
  const vis = await visibilityFor(db, scope);
  // Archived documents are retired: nobody (staff included) should find them by searching.
  const conds: SQL[] = [visibleCondition(scope, vis), isNull(forgeDocuments.archivedAt)];
  let boostTenant: string | null = null;
  let mspWideIds = new Set<string>();
  if (input.tenantId !== undefined) {
    const t = await resolveTenant(db, scope, input.tenantId);
    const allowed = [t.id, ...(t.parentId ? [t.parentId] : [])];
    conds.push(inArray(forgeDocuments.tenantId, allowed));
    boostTenant = t.id;
    if (t.parentId) mspWideIds = new Set([t.parentId]);
  }
  if (input.kinds?.length) conds.push(inArray(forgeDocuments.kind, input.kinds));
  const rank = boostTenant
    ? sql`bm25(forge_documents_fts, ${sql.raw(BM25_WEIGHTS)}) * (CASE WHEN ${forgeDocuments.tenantId} = ${boostTenant} THEN ${TENANT_BOOST} ELSE 1.0 END)`
    : sql`bm25(forge_documents_fts, ${sql.raw(BM25_WEIGHTS)})`;
  const rows = await db
    .select({
      doc: forgeDocuments,
      tenantKind: tenants.kind,
      rank: sql<number>`${rank}`,
      snippet: sql<string>`snippet(forge_documents_fts, -1, '**', '**', '…', 24)`,
    })
    .from(sql`forge_documents_fts`)
    .innerJoin(forgeDocuments, sql`${forgeDocuments.seq} = forge_documents_fts.rowid`)
    .innerJoin(tenants, eq(tenants.id, forgeDocuments.tenantId))
    .where(and(sql`forge_documents_fts MATCH ${match}`, ...conds))
    .orderBy(sql`${rank}`, asc(forgeDocuments.id))
    .limit(limit + 1)
    .offset(offset);
  const hits: SearchHit[] = rows.slice(0, limit).map((r) => ({
    id: r.doc.id,
    kind: r.doc.kind,
    tenantId: r.doc.tenantId,
    scope: r.tenantKind === "msp" || mspWideIds.has(r.doc.tenantId) ? "msp_wide" : "tenant",
    title: r.doc.title,
    summary: r.doc.summary,
    snippet: r.snippet,
    tags: splitTags(r.doc.tags),
    version: r.doc.version,
    updatedAt: new Date(r.doc.updatedAt).toISOString(),
    // bm25 is "smaller is better" and negative; report a positive relevance so bigger reads as better.
    score: Math.round(-Number(r.rank) * 1000) / 1000,
  }));
  const fit = (input.fit ?? countWithinBudget)(hits);
  const more = rows.length > fit;
  return {
    items: hits.slice(0, fit),
    nextCursor: more ? encodeCursor("forge.search", [offset + fit]) : null,
    queryTerms: match,
    note: "Ranked by SQLite FTS5 bm25 (title x10, tags x6, summary x4, body x1); documents of the named tenant are boosted 1.5x over MSP-wide ones.",
  };
}
