import { and, eq, isNull } from "drizzle-orm";
import { newId } from "../../shared/crypto";
import type { DbLike } from "../../store/index";
import { forgeDocumentVersions, forgeDocuments } from "../../store/schema/forge";
import { tenants } from "../../store/schema/tenancy";
import { CrossTenantError, NotFoundError, type TenantScope } from "../../tenancy/scope";
import { ForgeError } from "./errors";
import {
  admitDocument,
  archiveInfoOf,
  getDocument,
  type ArchiveInfo,
  type DocumentKind,
  type DocumentRow,
  type DocumentView,
  updateReadVersion,
  visibilityFor,
} from "./documents";

/** Archiving: retires a document from search and from client views; reversible by saving a new version. */
// Archive (destructive: retires a document from search and from client views; reversible by a new version)

export interface ArchivePlan {
  document: {
    id: string;
    kind: DocumentKind;
    title: string;
    tenantId: string;
    tenantName: string;
    version: number;
    visibility: "internal" | "client";
  };
  reason: string;
  alreadyArchived: ArchiveInfo | null;
  /** The version number the archive note will take in the history (the content is unchanged). */
  historyVersion: number | null;
  consequences: string[];
}

export interface ArchiveResult {
  document: DocumentView;
  /** False when the document was already archived (nothing changed). */
  archivedNow: boolean;
  note: string;
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
    throw new ForgeError(
      "forbidden_role",
      `only MSP staff of the MSP that owns ${doc.kind} ${doc.id} (or a platform admin) can archive it; ask your MSP to retire it`,
    );
  }
  // Staff of the owning MSP have the document's tenant (the MSP or one of its clients) in scope.
  if (!scope.includes(doc.tenantId)) throw new CrossTenantError(entity, input.documentId);
  const reason = input.reason.trim();
  if (reason.length < 3)
    throw new ForgeError(
      "invalid_input",
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
        tenantId: doc.tenantId,
        tenantName: tenant?.name ?? doc.tenantId,
        version: doc.version,
        visibility: doc.visibility,
      },
      reason,
      alreadyArchived: already,
      historyVersion: already ? null : doc.version + 1,
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
): Promise<ArchiveResult> {
  const { plan, row } = await planArchive(db, scope, input);
  if (plan.alreadyArchived) {
    const document = await getDocument(db, scope, { id: row.id, kind: row.kind });
    return {
      document,
      archivedNow: false,
      note: `${row.kind} ${row.id} was already archived on ${plan.alreadyArchived.at.slice(0, 10)}; nothing changed.`,
    };
  }
  const version = row.version + 1;
  await updateReadVersion(
    db,
    scope,
    row,
    {
      archivedAt: now,
      archivedBy: actor.name,
      archiveReason: plan.reason,
      version,
      updatedBy: actor.name,
      updatedAt: now,
    },
    "archive the current version",
    isNull(forgeDocuments.archivedAt),
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
    archivedNow: true,
    note: `${row.kind} ${row.id} is archived: out of search and client views, history kept. Saving a new version un-archives it.`,
  };
}
