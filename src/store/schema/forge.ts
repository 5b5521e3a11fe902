import { index, integer, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import { tenantIdColumn } from "./tenancy";

/**
 * forge: the knowledge base (articles) and runbooks, one table with a `kind`, so one FTS5 index ranks
 * both together (bm25). The full-text table `forge_documents_fts` and its sync triggers are hand-written
 * SQL in a custom migration (drizzle-kit cannot express virtual tables).
 *
 * Tenancy: tenant_id is never null. A client's own documents carry the client's id; MSP-wide documents carry
 * the MSP's id. MSP staff read those through their normal scope (the MSP is in it); a client-tenant user reads
 * an MSP document only when its visibility is "client", through `sharedContentTenantIds` in tenancy/scope.ts.
 * We deliberately do not use a null tenant ("global"): with two MSPs on one appliance, null would let one
 * MSP's internal runbooks reach the other's users.
 *
 * `seq` is an INTEGER PRIMARY KEY because FTS5 external-content tables join on rowid, and an implicit rowid
 * may be renumbered by VACUUM.
 */
export const forgeDocuments = sqliteTable(
  "forge_documents",
  {
    seq: integer("seq").primaryKey({ autoIncrement: true }),
    id: text("id").notNull().unique(),
    tenantId: tenantIdColumn(),
    /** article | runbook */
    kind: text("kind", { enum: ["article", "runbook"] }).notNull(),
    title: text("title").notNull(),
    /** Articles: a one-line summary. Runbooks: when to use it. */
    summary: text("summary").notNull(),
    /** Articles: markdown body. Runbooks: the steps rendered as text (what the full-text index sees). */
    body: text("body").notNull(),
    /** Runbooks only: JSON array [{ n, text, requires_role? }]. */
    steps: text("steps"),
    /** Space-separated tags (indexed), e.g. "m365 mfa identity". */
    tags: text("tags").notNull().default(""),
    /** internal (MSP staff only) | client (may be shown to the client tenant's users) */
    visibility: text("visibility", { enum: ["internal", "client"] }).notNull(),
    version: integer("version").notNull(),
    updatedBy: text("updated_by").notNull(),
    createdAt: integer("created_at").notNull(),
    updatedAt: integer("updated_at").notNull(),
    /**
     * Set by forge_archive_document: an obsolete or wrong document is retired, not deleted. Archived documents
     * are left out of search and hidden from client-side readers; MSP staff still read them (with who/why).
     * Saving a new version clears all three (un-archives), so the history stays one line of versions.
     */
    archivedAt: integer("archived_at"),
    archivedBy: text("archived_by"),
    archiveReason: text("archive_reason"),
    /**
     * Set for documents brought in by `cavaridge import docs`: the file's path relative to the imported directory
     * (or zip), with `/` separators. A second import of the same path updates this document.
     */
    sourcePath: text("source_path"),
  },
  (t) => [
    index("forge_documents_tenant_idx").on(t.tenantId, t.kind),
    uniqueIndex("forge_documents_source_path_uq").on(t.tenantId, t.sourcePath),
  ],
);

/** Every saved version of a document, immutable. The document row mirrors the newest version. */
export const forgeDocumentVersions = sqliteTable(
  "forge_document_versions",
  {
    id: text("id").primaryKey(),
    documentId: text("document_id").notNull(),
    tenantId: tenantIdColumn(),
    version: integer("version").notNull(),
    title: text("title").notNull(),
    summary: text("summary").notNull(),
    body: text("body").notNull(),
    steps: text("steps"),
    tags: text("tags").notNull(),
    visibility: text("visibility").notNull(),
    changeNote: text("change_note").notNull(),
    createdBy: text("created_by").notNull(),
    createdAt: integer("created_at").notNull(),
    /** Set when saved through a tool: repeating the key returns this version instead of a new one. */
    idempotencyKey: text("idempotency_key"),
    /** SHA-256 of the canonical request, so a reused key with a different payload is refused. */
    requestHash: text("request_hash"),
  },
  (t) => [
    uniqueIndex("forge_versions_doc_version_uq").on(t.documentId, t.version),
    uniqueIndex("forge_versions_idem_uq").on(t.tenantId, t.idempotencyKey),
  ],
);
