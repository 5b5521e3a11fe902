import { type } from "arktype";
import { pageOut, presentPage } from "../kit/page-wire";
import type { ArchivePlan, ArchiveResult } from "./archive";
import type { DocumentView, RunbookStep } from "./documents";
import type { SaveResult } from "./save-document";
import type { SearchHit, SearchResult } from "./search";

/**
 * The wire shapes of forge results (snake_case, what structuredContent carries) and the functions that build them
 * from the services' camelCase values, so the declared output schema and the produced JSON cannot drift.
 * Timestamps are ISO 8601 UTC.
 */

export const StepOut = type({ n: "number.integer", text: "string", "requires_role?": "string" });

export const DocumentOut = type({
  id: "string",
  kind: "'article' | 'runbook'",
  tenant_id: "string",
  title: "string",
  summary: "string",
  body: "string",
  steps: StepOut.array().or("null"),
  tags: "string[]",
  visibility: "'internal' | 'client'",
  version: "number.integer",
  updated_by: "string",
  updated_at: "string",
  created_at: "string",
  versions: type({
    version: "number.integer",
    created_at: "string",
    created_by: "string",
    change_note: "string",
  }).array(),
  /** null unless archived (forge_archive_document); only MSP staff ever read an archived document. */
  archived: type({ at: "string", by: "string", reason: "string" }).or("null"),
});

function stepWire(s: RunbookStep): typeof StepOut.infer {
  return { n: s.n, text: s.text, ...(s.requiresRole ? { requires_role: s.requiresRole } : {}) };
}

export function documentWire(d: DocumentView): typeof DocumentOut.infer {
  return {
    id: d.id,
    kind: d.kind,
    tenant_id: d.tenantId,
    title: d.title,
    summary: d.summary,
    body: d.body,
    steps: d.steps ? d.steps.map(stepWire) : null,
    tags: d.tags,
    visibility: d.visibility,
    version: d.version,
    updated_by: d.updatedBy,
    updated_at: d.updatedAt,
    created_at: d.createdAt,
    versions: d.versions.map((v) => ({
      version: v.version,
      created_at: v.createdAt,
      created_by: v.createdBy,
      change_note: v.changeNote,
    })),
    archived: d.archived,
  };
}

export const SaveResultOut = type({ document: DocumentOut, created: "boolean", replayed: "boolean" });

export function saveResultWire(r: SaveResult): typeof SaveResultOut.infer {
  return { document: documentWire(r.document), created: r.created, replayed: r.replayed };
}

const SearchHitOut = type({
  id: "string",
  kind: "'article' | 'runbook'",
  tenant_id: "string",
  scope: "'tenant' | 'msp_wide'",
  title: "string",
  summary: "string",
  snippet: "string",
  tags: "string[]",
  version: "number.integer",
  updated_at: "string",
  score: "number",
});

export const SearchResultOut = pageOut(SearchHitOut).merge({ query_terms: "string", note: "string" });

export function searchHitWire(h: SearchHit): typeof SearchHitOut.infer {
  return {
    id: h.id,
    kind: h.kind,
    tenant_id: h.tenantId,
    scope: h.scope,
    title: h.title,
    summary: h.summary,
    snippet: h.snippet,
    tags: h.tags,
    version: h.version,
    updated_at: h.updatedAt,
    score: h.score,
  };
}

export function searchResultWire(r: SearchResult): typeof SearchResultOut.infer {
  return { ...presentPage(r, searchHitWire), query_terms: r.queryTerms, note: r.note };
}

export const ArchiveResultOut = type({ document: DocumentOut, archived_now: "boolean", note: "string" });

export function archiveResultWire(r: ArchiveResult): typeof ArchiveResultOut.infer {
  return { document: documentWire(r.document), archived_now: r.archivedNow, note: r.note };
}

/** The archive proposal as the confirmation preview shows it. */
export function archivePlanWire(p: ArchivePlan) {
  const d = p.document;
  return {
    document: {
      id: d.id,
      kind: d.kind,
      title: d.title,
      tenant_id: d.tenantId,
      tenant_name: d.tenantName,
      version: d.version,
      visibility: d.visibility,
    },
    reason: p.reason,
    already_archived: p.alreadyArchived,
    history_version: p.historyVersion,
    consequences: p.consequences,
  };
}

export const SummaryOut = type({
  headline: "string",
  summary: "string",
  key_points: "string[]",
  next_steps: "string[]",
});
