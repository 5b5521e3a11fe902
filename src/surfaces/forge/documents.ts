import { and, desc, eq, inArray, or, type SQL } from "drizzle-orm";
import type { DbLike } from "../../store/index";
import { forgeDocumentVersions, forgeDocuments } from "../../store/schema/forge";
import { tenants } from "../../store/schema/tenancy";
import { CrossTenantError, NotFoundError, sharedContentTenantIds, type TenantScope } from "../../tenancy/scope";
import { ForgeError } from "./errors";

/**
 * forge knowledge base: articles and runbooks, versioned, searched with SQLite FTS5 + bm25.
 *
 * Visibility rule (see src/store/schema/forge.ts): a document is readable when its tenant is in the caller's
 * scope, or when it belongs to the parent MSP of a client tenant in scope AND its visibility is "client"
 * (sharedContentTenantIds). Writes need the document's tenant to be in scope itself.
 */

export type DocumentRow = typeof forgeDocuments.$inferSelect;
export type DocumentKind = "article" | "runbook";

export interface RunbookStep {
  n: number;
  text: string;
  /** The role a step needs, when it is restricted. */
  requiresRole?: string;
}

/** How steps are stored in the `steps` JSON column (src/store/schema/forge.ts): snake_case, as first written. */
export interface StoredStep {
  n: number;
  text: string;
  requires_role?: string;
}

export function stepsFromColumn(json: string | null): RunbookStep[] | null {
  if (!json) return null;
  return (JSON.parse(json) as StoredStep[]).map((s) => ({
    n: s.n,
    text: s.text,
    ...(s.requires_role ? { requiresRole: s.requires_role } : {}),
  }));
}

/** The stored form of steps; also what a save's request hash covers, so keys already hashed stay valid. */
export function storedSteps(steps: readonly RunbookStep[]): StoredStep[] {
  return steps.map((s) => ({ n: s.n, text: s.text, ...(s.requiresRole ? { requires_role: s.requiresRole } : {}) }));
}

export function stepsToColumn(steps: readonly RunbookStep[]): string {
  return JSON.stringify(storedSteps(steps));
}

interface Visibility {
  /** MSP tenants whose client-visible documents the scope may read besides its own tenants. */
  shared: string[];
  /** MSP staff (and platform admins) read "internal" documents; client-side users only "client" ones. */
  staff: boolean;
}

export async function visibilityFor(db: DbLike, scope: TenantScope): Promise<Visibility> {
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

export function visibleCondition(scope: TenantScope, vis: Visibility): SQL {
  const own = vis.staff
    ? scope.where(forgeDocuments.tenantId)
    : and(scope.where(forgeDocuments.tenantId), eq(forgeDocuments.visibility, "client"))!;
  if (vis.shared.length === 0) return own;
  return or(own, and(inArray(forgeDocuments.tenantId, vis.shared), eq(forgeDocuments.visibility, "client")))!;
}

export function admitDocument(
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

/**
 * Writes `changes` to a document row only while it still holds the version the caller read (an optimistic check, so
 * two writers cannot both make "v3") and its tenant is in scope. `extra` narrows the match further. When someone
 * else changed the document meanwhile, the error tells the model to read it again and then `retry`.
 */
export async function updateReadVersion(
  db: DbLike,
  scope: TenantScope,
  read: Pick<DocumentRow, "id" | "kind" | "version">,
  changes: Partial<typeof forgeDocuments.$inferInsert>,
  retry: string,
  extra?: SQL,
): Promise<void> {
  const asRead = and(eq(forgeDocuments.id, read.id), eq(forgeDocuments.version, read.version));
  const updated = await db
    .update(forgeDocuments)
    .set(changes)
    .where(and(scope.where(forgeDocuments.tenantId), asRead, extra))
    .returning({ id: forgeDocuments.id });
  if (updated.length === 0)
    throw new ForgeError(
      "concurrent_change",
      `${read.kind} ${read.id} was changed by someone else meanwhile; read it again and ${retry}`,
    );
}

export function splitTags(tags: string): string[] {
  return tags.split(/\s+/).filter(Boolean);
}

export interface DocumentView {
  id: string;
  kind: DocumentKind;
  tenantId: string;
  title: string;
  summary: string;
  body: string;
  steps: RunbookStep[] | null;
  tags: string[];
  visibility: "internal" | "client";
  version: number;
  updatedBy: string;
  /** ISO 8601 UTC. */
  updatedAt: string;
  createdAt: string;
  versions: DocumentVersionInfo[];
  /** Set when the document is archived (only MSP staff ever see an archived document). */
  archived: ArchiveInfo | null;
}

export interface DocumentVersionInfo {
  version: number;
  createdAt: string;
  createdBy: string;
  changeNote: string;
}

export interface ArchiveInfo {
  at: string;
  by: string;
  reason: string;
}

export function archiveInfoOf(row: DocumentRow): ArchiveInfo | null {
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
    createdAt: new Date(v.createdAt).toISOString(),
    createdBy: v.createdBy,
    changeNote: v.changeNote,
  }));
  if (input.version !== undefined && input.version !== doc.version) {
    const v = versions.find((x) => x.version === input.version);
    if (!v)
      throw new ForgeError(
        "unknown_version",
        `${input.kind} ${doc.id} has no version ${input.version}; versions are ${versions.map((x) => x.version).join(", ")}`,
      );
    const content = {
      ...v,
      visibility: v.visibility as "internal" | "client",
      updatedBy: v.createdBy,
      updatedAt: v.createdAt,
    };
    return viewOf(doc, content, history);
  }
  return viewOf(doc, doc, history);
}

/** The content of one version: the document row holds the current one, a history row any earlier one. */
interface VersionContent {
  title: string;
  summary: string;
  body: string;
  steps: string | null;
  tags: string;
  visibility: "internal" | "client";
  version: number;
  updatedBy: string;
  updatedAt: number;
}

function viewOf(doc: DocumentRow, v: VersionContent, versions: DocumentVersionInfo[]): DocumentView {
  return {
    id: doc.id,
    kind: doc.kind,
    tenantId: doc.tenantId,
    title: v.title,
    summary: v.summary,
    body: v.body,
    steps: stepsFromColumn(v.steps),
    tags: splitTags(v.tags),
    visibility: v.visibility,
    version: v.version,
    updatedBy: v.updatedBy,
    updatedAt: new Date(v.updatedAt).toISOString(),
    createdAt: new Date(doc.createdAt).toISOString(),
    versions,
    archived: archiveInfoOf(doc),
  };
}
