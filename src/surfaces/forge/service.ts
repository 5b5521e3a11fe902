import { and, asc, desc, eq, inArray, isNull, or, sql, type SQL } from "drizzle-orm";
import { ToolError } from "../../mcp/define-tool";
import { newId, sha256Hex } from "../../shared/crypto";
import type { DbLike } from "../../store/index";
import { forgeDocumentVersions, forgeDocuments } from "../../store/schema/forge";
import { tenants } from "../../store/schema/tenancy";
import { CrossTenantError, NotFoundError, sharedContentTenantIds, type TenantScope } from "../../tenancy/scope";
import { countWithinBudget } from "../kit/page";
import { decodeCursor, encodeCursor } from "../kit/cursor";
import { resolveTenant } from "../kit/tenant";
import { pageLimit } from "../kit/page";

/**
 * forge knowledge base: articles and runbooks, versioned, searched with SQLite FTS5 + bm25.
 *
 * Visibility rule (see src/store/schema/forge.ts): a document is readable when its tenant is in the caller's
 * scope, or when it belongs to the parent MSP of a client tenant in scope AND its visibility is "client"
 * (sharedContentTenantIds). Writes need the document's tenant to be in scope itself.
 */

type DocumentRow = typeof forgeDocuments.$inferSelect;
export type DocumentKind = "article" | "runbook";

export interface RunbookStep {
  n: number;
  text: string;
  requires_role?: string;
}

interface Visibility {
  /** MSP tenants whose client-visible documents the scope may read besides its own tenants. */
  shared: string[];
  /** MSP staff (and platform admins) read "internal" documents; client-side users only "client" ones. */
  staff: boolean;
}

async function visibilityFor(db: DbLike, scope: TenantScope): Promise<Visibility> {
  // Only the caller's own tenants are read here (scope.where); their parent ids come along with them.
  const rows = await db
    .select({ id: tenants.id, kind: tenants.kind, parentId: tenants.parentId, disabled: tenants.disabled })
    .from(tenants)
    .where(scope.where(tenants.id));
  const parents = rows.map((r) => r.parentId).filter((p): p is string => p !== null);
  const parentRows = parents.length
    ? await db
        .select({ id: tenants.id, kind: tenants.kind, parentId: tenants.parentId, disabled: tenants.disabled })
        .from(tenants)
        .where(inArray(tenants.id, parents))
    : [];
  const home = rows.find((r) => r.id === scope.principal.tenantId);
  const staff = scope.principal.role === "platform_admin" || home?.kind === "msp";
  return { shared: sharedContentTenantIds(scope, [...rows, ...parentRows]), staff };
}

function visibleCondition(scope: TenantScope, vis: Visibility): SQL {
  const own = vis.staff
    ? scope.where(forgeDocuments.tenantId)
    : and(scope.where(forgeDocuments.tenantId), eq(forgeDocuments.visibility, "client"))!;
  if (vis.shared.length === 0) return own;
  return or(own, and(inArray(forgeDocuments.tenantId, vis.shared), eq(forgeDocuments.visibility, "client")))!;
}

function admitDocument(
  scope: TenantScope,
  vis: Visibility,
  row: DocumentRow | undefined,
  entity: string,
  id: string,
): DocumentRow {
  if (!row) throw new NotFoundError(entity, id);
  const readable = row.visibility === "client" || vis.staff;
  if (scope.includes(row.tenantId) && readable) return row;
  if (vis.shared.includes(row.tenantId) && row.visibility === "client") return row;
  throw new CrossTenantError(entity, id);
}

// ---------------------------------------------------------------------------------------------------------
// Search

const STOPWORDS = new Set(
  "a an and are as at be by can do does for from how i in is it me my of on or our please should the this to we what when where which who why with you your".split(
    " ",
  ),
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

export interface SearchHit {
  id: string;
  kind: DocumentKind;
  tenant_id: string;
  scope: "tenant" | "msp_wide";
  title: string;
  summary: string;
  snippet: string;
  tags: string[];
  version: number;
  updated_at: string;
  score: number;
}

/** bm25 column weights: title, summary, body, tags. A title hit is worth ten body hits. */
const BM25_WEIGHTS = "10.0, 4.0, 1.0, 6.0";
/** Documents of the tenant being asked about rank above equally relevant MSP-wide ones. */
const TENANT_BOOST = 1.5;

export async function searchKnowledge(
  db: DbLike,
  scope: TenantScope,
  input: { query: string; kinds?: DocumentKind[]; tenantId?: string; cursor?: string; limit?: number },
): Promise<{ items: SearchHit[]; next_cursor: string | null; query_terms: string; note: string }> {
  const match = ftsQueryFor(input.query);
  if (!match)
    throw new ToolError(
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
    tenant_id: r.doc.tenantId,
    scope: r.tenantKind === "msp" || mspWideIds.has(r.doc.tenantId) ? "msp_wide" : "tenant",
    title: r.doc.title,
    summary: r.doc.summary,
    snippet: r.snippet,
    tags: splitTags(r.doc.tags),
    version: r.doc.version,
    updated_at: new Date(r.doc.updatedAt).toISOString(),
    // bm25 is "smaller is better" and negative; report a positive relevance so bigger reads as better.
    score: Math.round(-Number(r.rank) * 1000) / 1000,
  }));
  const fit = countWithinBudget(hits);
  const more = rows.length > fit;
  return {
    items: hits.slice(0, fit),
    next_cursor: more ? encodeCursor("forge.search", [offset + fit]) : null,
    query_terms: match,
    note: "Ranked by SQLite FTS5 bm25 (title x10, tags x6, summary x4, body x1); documents of the named tenant are boosted 1.5x over MSP-wide ones.",
  };
}

function splitTags(tags: string): string[] {
  return tags.split(/\s+/).filter(Boolean);
}

// ---------------------------------------------------------------------------------------------------------
// Read

export interface DocumentView {
  id: string;
  kind: DocumentKind;
  tenant_id: string;
  title: string;
  summary: string;
  body: string;
  steps: RunbookStep[] | null;
  tags: string[];
  visibility: "internal" | "client";
  version: number;
  updated_by: string;
  updated_at: string;
  created_at: string;
  versions: { version: number; created_at: string; created_by: string; change_note: string }[];
  /** Set when the document is archived (only MSP staff ever see an archived document). */
  archived: ArchiveInfo | null;
}

export interface ArchiveInfo {
  at: string;
  by: string;
  reason: string;
}

function archiveInfoOf(row: DocumentRow): ArchiveInfo | null {
  if (row.archivedAt === null) return null;
  return { at: new Date(row.archivedAt).toISOString(), by: row.archivedBy ?? "", reason: row.archiveReason ?? "" };
}

export async function getDocument(
  db: DbLike,
  scope: TenantScope,
  input: { id: string; kind: DocumentKind; version?: number },
): Promise<DocumentView> {
  const vis = await visibilityFor(db, scope);
  const [row] = await db
    .select()
    .from(forgeDocuments)
    .where(and(eq(forgeDocuments.id, input.id), eq(forgeDocuments.kind, input.kind)))
    .limit(1);
  const doc = admitDocument(scope, vis, row, input.kind, input.id);
  // Archived means retired for client-side readers: it reads exactly like a document that does not exist.
  if (doc.archivedAt !== null && !vis.staff) throw new NotFoundError(input.kind, input.id);
  const versions = await db
    .select()
    .from(forgeDocumentVersions)
    .where(and(eq(forgeDocumentVersions.documentId, doc.id), eq(forgeDocumentVersions.tenantId, doc.tenantId)))
    .orderBy(desc(forgeDocumentVersions.version));
  const history = versions.map((v) => ({
    version: v.version,
    created_at: new Date(v.createdAt).toISOString(),
    created_by: v.createdBy,
    change_note: v.changeNote,
  }));
  if (input.version !== undefined && input.version !== doc.version) {
    const v = versions.find((x) => x.version === input.version);
    if (!v)
      throw new ToolError(
        `${input.kind} ${doc.id} has no version ${input.version}; versions are ${versions.map((x) => x.version).join(", ")}`,
      );
    return {
      id: doc.id,
      kind: doc.kind,
      tenant_id: doc.tenantId,
      title: v.title,
      summary: v.summary,
      body: v.body,
      steps: v.steps ? (JSON.parse(v.steps) as RunbookStep[]) : null,
      tags: splitTags(v.tags),
      visibility: v.visibility as "internal" | "client",
      version: v.version,
      updated_by: v.createdBy,
      updated_at: new Date(v.createdAt).toISOString(),
      created_at: new Date(doc.createdAt).toISOString(),
      versions: history,
      archived: archiveInfoOf(doc),
    };
  }
  return {
    id: doc.id,
    kind: doc.kind,
    tenant_id: doc.tenantId,
    title: doc.title,
    summary: doc.summary,
    body: doc.body,
    steps: doc.steps ? (JSON.parse(doc.steps) as RunbookStep[]) : null,
    tags: splitTags(doc.tags),
    visibility: doc.visibility,
    version: doc.version,
    updated_by: doc.updatedBy,
    updated_at: new Date(doc.updatedAt).toISOString(),
    created_at: new Date(doc.createdAt).toISOString(),
    versions: history,
    archived: archiveInfoOf(doc),
  };
}

// ---------------------------------------------------------------------------------------------------------
// Save (new document or new version)

export interface SaveDocumentInput {
  kind: DocumentKind;
  /** Omit to create a new document. */
  documentId?: string;
  /** Required when creating; must match the document's tenant when updating (if given). */
  tenantId?: string;
  title: string;
  summary: string;
  /** Articles: markdown body. Runbooks: ignored (the body is rendered from steps). */
  body?: string;
  steps?: { text: string; requires_role?: string }[];
  tags: string[];
  visibility: "internal" | "client";
  changeNote: string;
  idempotencyKey: string;
}

export interface SaveResult {
  document: DocumentView;
  created: boolean;
  replayed: boolean;
}

export function renderSteps(steps: RunbookStep[]): string {
  return steps.map((s) => `${s.n}. ${s.text}${s.requires_role ? ` (requires ${s.requires_role})` : ""}`).join("\n");
}

function normaliseTags(tags: string[]): string {
  return [...new Set(tags.map((t) => t.trim().toLowerCase().replace(/\s+/g, "-")).filter(Boolean))].join(" ");
}

/**
 * Saves a new document, or a new version of an existing one. Old versions stay readable (nothing is
 * overwritten), which is why this write is not destructive. `idempotencyKey` is per tenant: repeating it with
 * the same content returns the version it created; reusing it for different content is refused.
 */
export async function saveDocument(
  db: DbLike,
  scope: TenantScope,
  actor: { userId: string; name: string },
  input: SaveDocumentInput,
  now: number,
): Promise<SaveResult> {
  const existing = input.documentId
    ? (
        await db
          .select()
          .from(forgeDocuments)
          .where(and(eq(forgeDocuments.id, input.documentId), eq(forgeDocuments.kind, input.kind)))
          .limit(1)
      )[0]
    : undefined;
  const vis = await visibilityFor(db, scope);
  if (!vis.staff && input.visibility === "internal")
    throw new ToolError('only MSP staff can save internal documents; use visibility "client"');
  if (input.documentId) {
    // Writing needs the document's own tenant in scope: shared (MSP-wide) read access never grants edit rights.
    const doc = admitDocument(scope, { shared: [], staff: vis.staff }, existing, input.kind, input.documentId);
    // Client-side users do not see archived documents, so they cannot revive one by saving over it.
    if (doc.archivedAt !== null && !vis.staff) throw new NotFoundError(input.kind, input.documentId);
    const named = input.tenantId !== undefined ? (await resolveTenant(db, scope, input.tenantId)).id : undefined;
    if (named !== undefined && named !== doc.tenantId)
      throw new ToolError(
        `tenant_id ${named} does not match ${input.kind} ${doc.id}'s tenant ${doc.tenantId}; omit tenant_id when saving a new version`,
      );
  }
  const ref = existing?.tenantId ?? input.tenantId;
  if (!ref)
    throw new ToolError(
      "tenant_id is required when creating a new document (use your MSP's tenant id for an MSP-wide document)",
    );
  const tenantId = (await resolveTenant(db, scope, ref)).id;

  let steps: RunbookStep[] | null = null;
  let body: string;
  if (input.kind === "runbook") {
    if (!input.steps?.length) throw new ToolError("a runbook needs at least one step in steps");
    steps = input.steps.map((s, i) => ({
      n: i + 1,
      text: s.text.trim(),
      ...(s.requires_role ? { requires_role: s.requires_role } : {}),
    }));
    body = renderSteps(steps);
  } else {
    if (!input.body?.trim()) throw new ToolError("an article needs a body (markdown)");
    if (input.steps?.length) throw new ToolError("steps are for runbooks; put the article text in body");
    body = input.body.trim();
  }
  const tags = normaliseTags(input.tags);
  const canonical = {
    kind: input.kind,
    documentId: input.documentId ?? null,
    tenantId,
    title: input.title.trim(),
    summary: input.summary.trim(),
    body,
    steps,
    tags,
    visibility: input.visibility,
    changeNote: input.changeNote.trim(),
  };
  const requestHash = sha256Hex(JSON.stringify(canonical));

  const replay = async (): Promise<SaveResult | null> => {
    const [prior] = await db
      .select()
      .from(forgeDocumentVersions)
      .where(
        and(
          eq(forgeDocumentVersions.tenantId, tenantId),
          eq(forgeDocumentVersions.idempotencyKey, input.idempotencyKey),
        ),
      )
      .limit(1);
    if (!prior) return null;
    if (prior.requestHash !== requestHash)
      throw new ToolError("idempotency_key was already used for a different save; use a new key for new content");
    const document = await getDocument(db, scope, { id: prior.documentId, kind: input.kind, version: prior.version });
    return { document, created: prior.version === 1, replayed: true };
  };
  const prior = await replay();
  if (prior) return prior;

  const docId = existing?.id ?? newId(input.kind === "article" ? "kb" : "rb");
  const version = (existing?.version ?? 0) + 1;
  try {
    await db.transaction(async (tx) => {
      if (existing) {
        // Optimistic check: the version we read must still be current, so two editors cannot both make "v3".
        const updated = await tx
          .update(forgeDocuments)
          // A new version un-archives: the author has just made the document current again (documented on the tools).
          .set({
            title: canonical.title,
            summary: canonical.summary,
            body,
            steps: steps ? JSON.stringify(steps) : null,
            tags,
            visibility: input.visibility,
            version,
            updatedBy: actor.name,
            updatedAt: now,
            archivedAt: null,
            archivedBy: null,
            archiveReason: null,
          })
          .where(
            and(
              scope.where(forgeDocuments.tenantId),
              eq(forgeDocuments.id, existing.id),
              eq(forgeDocuments.version, existing.version),
            ),
          )
          .returning({ id: forgeDocuments.id });
        if (updated.length === 0)
          throw new ToolError(
            `${input.kind} ${existing.id} was changed by someone else meanwhile; read it again and save on top of the new version`,
          );
      } else {
        await tx.insert(forgeDocuments).values({
          id: docId,
          tenantId,
          kind: input.kind,
          title: canonical.title,
          summary: canonical.summary,
          body,
          steps: steps ? JSON.stringify(steps) : null,
          tags,
          visibility: input.visibility,
          version,
          updatedBy: actor.name,
          createdAt: now,
          updatedAt: now,
        });
      }
      await tx.insert(forgeDocumentVersions).values({
        id: newId("dv"),
        documentId: docId,
        tenantId,
        version,
        title: canonical.title,
        summary: canonical.summary,
        body,
        steps: steps ? JSON.stringify(steps) : null,
        tags,
        visibility: input.visibility,
        changeNote: existing?.archivedAt
          ? `${canonical.changeNote} (un-archived: was archived ${new Date(existing.archivedAt).toISOString().slice(0, 10)})`
          : canonical.changeNote,
        createdBy: actor.name,
        createdAt: now,
        idempotencyKey: input.idempotencyKey,
        requestHash,
      });
    });
  } catch (err) {
    // A concurrent call with the same key won the unique index: answer with its result.
    if (err instanceof ToolError) throw err;
    const again = await replay();
    if (again) return again;
    throw err;
  }
  return {
    document: await getDocument(db, scope, { id: docId, kind: input.kind }),
    created: !existing,
    replayed: false,
  };
}

export function summariseDocument(d: DocumentView): {
  id: string;
  kind: DocumentKind;
  title: string;
  summary: string;
  version: number;
  updated_at: string;
} {
  return { id: d.id, kind: d.kind, title: d.title, summary: d.summary, version: d.version, updated_at: d.updated_at };
}

// ---------------------------------------------------------------------------------------------------------
// Archive (destructive: retires a document from search and from client views; reversible by a new version)

export interface ArchivePlan {
  document: {
    id: string;
    kind: DocumentKind;
    title: string;
    tenant_id: string;
    tenant_name: string;
    version: number;
    visibility: "internal" | "client";
  };
  reason: string;
  already_archived: ArchiveInfo | null;
  /** The version number the archive note will take in the history (the content is unchanged). */
  history_version: number | null;
  consequences: string[];
}

/** Consequences of archiving, stated the same way in the preview and the tool description. */
export const ARCHIVE_CONSEQUENCES = [
  "It no longer appears in forge_search_knowledge (nor in forge_classify_request's related documents), for anyone.",
  "Client-tenant users can no longer open it; MSP staff still can, and see who archived it and why.",
  "The version history is kept; the archive is recorded in it as a new version with the same content.",
  "Reversible: saving a new version (forge_save_article / forge_save_runbook) un-archives it.",
];

/**
 * Reads the document to archive and checks the caller may archive it. Cross-tenant ids fail through the same
 * admit as reads (CrossTenantError -> "not found or not permitted"); a client-side user who can read the
 * document is told plainly that archiving is for MSP staff. Writing needs the document's own tenant in scope.
 */
export async function planArchive(
  db: DbLike,
  scope: TenantScope,
  input: { documentId: string; reason: string },
): Promise<{ plan: ArchivePlan; row: DocumentRow }> {
  const vis = await visibilityFor(db, scope);
  const [row] = await db.select().from(forgeDocuments).where(eq(forgeDocuments.id, input.documentId)).limit(1);
  const entity = row?.kind ?? "document";
  const doc = admitDocument(scope, vis, row, entity, input.documentId);
  if (doc.archivedAt !== null && !vis.staff) throw new NotFoundError(entity, input.documentId);
  if (!vis.staff) {
    throw new ToolError(
      `only MSP staff of the MSP that owns ${doc.kind} ${doc.id} (or a platform admin) can archive it; ask your MSP to retire it`,
    );
  }
  // Staff of the owning MSP have the document's tenant (the MSP or one of its clients) in scope.
  if (!scope.includes(doc.tenantId)) throw new CrossTenantError(entity, input.documentId);
  const reason = input.reason.trim();
  if (reason.length < 3)
    throw new ToolError(
      "reason must say why the document is retired (at least 3 characters), e.g. 'replaced by rb_new_offboarding'",
    );
  const [tenant] = await db
    .select({ name: tenants.name })
    .from(tenants)
    .where(and(scope.where(tenants.id), eq(tenants.id, doc.tenantId)));
  const already = archiveInfoOf(doc);
  return {
    row: doc,
    plan: {
      document: {
        id: doc.id,
        kind: doc.kind,
        title: doc.title,
        tenant_id: doc.tenantId,
        tenant_name: tenant?.name ?? doc.tenantId,
        version: doc.version,
        visibility: doc.visibility,
      },
      reason,
      already_archived: already,
      history_version: already ? null : doc.version + 1,
      consequences: already
        ? [
            `Already archived on ${already.at.slice(0, 10)} by ${already.by} ("${already.reason}"): confirming changes nothing.`,
          ]
        : ARCHIVE_CONSEQUENCES,
    },
  };
}

/**
 * Archives a document: sets archived_at/by/reason and appends a history version (same content, the reason as
 * its change note), in the caller's transaction (the MCP layer writes the audit row in the same one).
 * Idempotent: archiving an archived document changes nothing and says when it was archived.
 */
export async function archiveDocument(
  db: DbLike,
  scope: TenantScope,
  actor: { userId: string; name: string },
  input: { documentId: string; reason: string },
  now: number,
): Promise<{ document: DocumentView; archived_now: boolean; note: string }> {
  const { plan, row } = await planArchive(db, scope, input);
  if (plan.already_archived) {
    const document = await getDocument(db, scope, { id: row.id, kind: row.kind });
    return {
      document,
      archived_now: false,
      note: `${row.kind} ${row.id} was already archived on ${plan.already_archived.at.slice(0, 10)}; nothing changed.`,
    };
  }
  const version = row.version + 1;
  const updated = await db
    .update(forgeDocuments)
    .set({
      archivedAt: now,
      archivedBy: actor.name,
      archiveReason: plan.reason,
      version,
      updatedBy: actor.name,
      updatedAt: now,
    })
    .where(
      and(
        scope.where(forgeDocuments.tenantId),
        eq(forgeDocuments.id, row.id),
        eq(forgeDocuments.version, row.version),
        isNull(forgeDocuments.archivedAt),
      ),
    )
    .returning({ id: forgeDocuments.id });
  if (updated.length === 0)
    throw new ToolError(
      `${row.kind} ${row.id} was changed by someone else meanwhile; read it again and archive the current version`,
    );
  await db.insert(forgeDocumentVersions).values({
    id: newId("dv"),
    documentId: row.id,
    tenantId: row.tenantId,
    version,
    title: row.title,
    summary: row.summary,
    body: row.body,
    steps: row.steps,
    tags: row.tags,
    visibility: row.visibility,
    changeNote: `Archived: ${plan.reason}`,
    createdBy: actor.name,
    createdAt: now,
  });
  const document = await getDocument(db, scope, { id: row.id, kind: row.kind });
  return {
    document,
    archived_now: true,
    note: `${row.kind} ${row.id} is archived: out of search and client views, history kept. Saving a new version un-archives it.`,
  };
}
