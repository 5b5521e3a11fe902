import { and, eq } from "drizzle-orm";
import { newId, sha256Hex } from "../../shared/crypto";
import type { DbLike } from "../../store/index";
import { forgeDocumentVersions, forgeDocuments } from "../../store/schema/forge";
import { NotFoundError, type TenantScope } from "../../tenancy/scope";
import { resolveTenant } from "../kit/tenant";
import { ForgeError } from "./errors";
import {
  admitDocument,
  getDocument,
  type DocumentKind,
  type DocumentView,
  type RunbookStep,
  visibilityFor,
  storedSteps,
  stepsToColumn,
  updateReadVersion,
} from "./documents";

/** Saving a document: a new document, or a new version of one (old versions stay readable). */
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
  steps?: { text: string; requiresRole?: string }[];
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
  return steps.map((s) => `${s.n}. ${s.text}${s.requiresRole ? ` (requires ${s.requiresRole})` : ""}`).join("\n");
}

/** Tags as stored: trimmed, lowercased, inner spaces as hyphens, deduplicated, space-separated. */
export function normaliseTags(tags: readonly string[]): string {
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
    throw new ForgeError("forbidden_role", 'only MSP staff can save internal documents; use visibility "client"');
  if (input.documentId) {
    // Writing needs the document's own tenant in scope: shared (MSP-wide) read access never grants edit rights.
    const doc = admitDocument(scope, { shared: [], staff: vis.staff }, existing, input.kind, input.documentId);
    // Client-side users do not see archived documents, so they cannot revive one by saving over it.
    if (doc.archivedAt !== null && !vis.staff) throw new NotFoundError(input.kind, input.documentId);
    const named = input.tenantId !== undefined ? (await resolveTenant(db, scope, input.tenantId)).id : undefined;
    if (named !== undefined && named !== doc.tenantId)
      throw new ForgeError(
        "invalid_input",
        `tenant_id ${named} does not match ${input.kind} ${doc.id}'s tenant ${doc.tenantId}; omit tenant_id when saving a new version`,
      );
  }
  const ref = existing?.tenantId ?? input.tenantId;
  if (!ref)
    throw new ForgeError(
      "invalid_input",
      "tenant_id is required when creating a new document (use your MSP's tenant id for an MSP-wide document)",
    );
  const tenantId = (await resolveTenant(db, scope, ref)).id;

  let steps: RunbookStep[] | null = null;
  let body: string;
  if (input.kind === "runbook") {
    if (!input.steps?.length) throw new ForgeError("invalid_input", "a runbook needs at least one step in steps");
    steps = input.steps.map((s, i) => ({
      n: i + 1,
      text: s.text.trim(),
      ...(s.requiresRole ? { requiresRole: s.requiresRole } : {}),
    }));
    body = renderSteps(steps);
  } else {
    if (!input.body?.trim()) throw new ForgeError("invalid_input", "an article needs a body (markdown)");
    if (input.steps?.length)
      throw new ForgeError("invalid_input", "steps are for runbooks; put the article text in body");
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
    steps: steps ? storedSteps(steps) : null,
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
      throw new ForgeError(
        "idempotency_conflict",
        "idempotency_key was already used for a different save; use a new key for new content",
      );
    const document = await getDocument(db, scope, { id: prior.documentId, kind: input.kind, version: prior.version });
    return { document, created: prior.version === 1, replayed: true };
  };
  const prior = await replay();
  if (prior) return prior;

  const docId = existing?.id ?? newId(input.kind === "article" ? "kb" : "rb");
  const version = (existing?.version ?? 0) + 1;
  // What the document row and its history row both hold for this version.
  const content = {
    title: canonical.title,
    summary: canonical.summary,
    body,
    steps: steps ? stepsToColumn(steps) : null,
    tags,
    visibility: input.visibility,
    version,
  };
  try {
    await db.transaction(async (tx) => {
      if (existing) {
        // A new version un-archives: the author has just made the document current again (documented on the tools).
        await updateReadVersion(
          tx,
          scope,
          existing,
          {
            ...content,
            updatedBy: actor.name,
            updatedAt: now,
            archivedAt: null,
            archivedBy: null,
            archiveReason: null,
          },
          "save on top of the new version",
        );
      } else {
        await tx.insert(forgeDocuments).values({
          id: docId,
          tenantId,
          kind: input.kind,
          ...content,
          updatedBy: actor.name,
          createdAt: now,
          updatedAt: now,
        });
      }
      await tx.insert(forgeDocumentVersions).values({
        id: newId("dv"),
        documentId: docId,
        tenantId,
        ...content,
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
    if (err instanceof ForgeError) throw err;
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
