import { type } from "arktype";
import { and, eq, inArray, isNotNull } from "drizzle-orm";
import { lexer, type Tokens } from "marked";
import { isMap, isScalar, LineCounter, parseDocument } from "yaml";
import { newId } from "../../shared/crypto";
import { identifier, storableText } from "../../shared/string-types";
import type { DbLike } from "../../store/index";
import { forgeDocumentVersions, forgeDocuments } from "../../store/schema/forge";
import { type DocumentKind, type RunbookStep, stepsToColumn } from "./documents";
import { ForgeError } from "./errors";
import { normaliseTags, renderSteps } from "./save-document";
import { onFirstUse } from "../../shared/on-first-use";

/**
 * Markdown knowledge documents brought in from a directory or an archive (`cavaridge import docs`). Each file starts
 * with YAML front matter (the Jekyll/Hugo convention, https://jekyllrb.com/docs/front-matter/) parsed by the `yaml`
 * library; a runbook's steps are the items of its first ordered list (CommonMark 5.3, read by `marked`'s lexer).
 * Parsing is pure; planning reads the stored documents; the plan's `write` only runs statements. A document is
 * matched on (tenant, path relative to the imported root); a changed file makes a new version, as
 * forge_save_article does; a file that disappeared is reported and kept.
 */

export interface DocsProblem {
  path: string;
  line?: number;
  field?: string;
  message: string;
}

export interface DocFile {
  /** Relative path with `/` separators, e.g. "runbooks/mfa-reset.md". */
  path: string;
  text: string;
}

export interface ParsedDoc {
  path: string;
  kind: DocumentKind;
  title: string;
  summary: string;
  /** Articles: the markdown body. Runbooks: the steps rendered as text, as forge_save_runbook stores them. */
  body: string;
  steps: RunbookStep[] | null;
  tags: string;
  visibility: "internal" | "client";
  /** Front matter `tenant` (an id or a name) as written; null means MSP-wide. */
  tenantRef: string | null;
}

const FrontMatter = onFirstUse(() =>
  type({
    title: storableText(300),
    kind: "'article' | 'runbook'",
    "tenant?": identifier(128),
    "visibility?": "'internal' | 'client'",
    tags: storableText(60).array().atMostLength(30),
    "summary?": storableText(500),
  }),
);

const FENCE = /^---[ \t]*\r?$/;
const CLOSE = /^(---|\.\.\.)[ \t]*\r?$/;

function plainText(markdown: string): string {
  return markdown.replace(/\s+/g, " ").trim();
}

/** One file: front matter, then the body; every problem names the path and, where it can, the line. */
export function parseDocFile(file: DocFile): ParsedDoc | DocsProblem[] {
  const at = (message: string, line?: number, field?: string): DocsProblem => ({
    path: file.path,
    ...(line !== undefined ? { line } : {}),
    ...(field !== undefined ? { field } : {}),
    message,
  });
  const lines = file.text.split("\n");
  if (!FENCE.test(lines[0] ?? ""))
    return [at("expected YAML front matter: a first line of ---, the fields, then a line of ---", 1)];
  const end = lines.findIndex((l, i) => i > 0 && CLOSE.test(l));
  if (end < 0) return [at("the front matter is not closed: add a line of --- after its last field", 1)];
  const yamlText = lines.slice(1, end).join("\n");
  const counter = new LineCounter();
  const doc = parseDocument(yamlText, { lineCounter: counter, uniqueKeys: true, prettyErrors: false });
  // The YAML text starts on the file's second line.
  const fileLine = (offset: number) => counter.linePos(offset).line + 1;
  if (doc.errors.length > 0)
    return doc.errors.map((e) => at(`front matter: ${e.message.split("\n")[0]}`, fileLine(e.pos[0])));
  const data: unknown = doc.toJS();
  const keyLine = (key: PropertyKey | undefined): number => {
    if (isMap(doc.contents) && key !== undefined)
      for (const pair of doc.contents.items)
        if (isScalar(pair.key) && pair.key.value === key && pair.key.range) return fileLine(pair.key.range[0]);
    return 1;
  };
  const fm = FrontMatter()(data ?? {});
  if (fm instanceof type.errors)
    return fm.map((e) => at(e.message, keyLine(e.path[0]), e.path.map(String).join(".") || undefined));
  const bodyText = lines
    .slice(end + 1)
    .join("\n")
    .trim();
  const tokens = lexer(bodyText);
  const firstParagraph = tokens.find((t): t is Tokens.Paragraph => t.type === "paragraph");
  const summary = fm.summary?.trim() || plainText(firstParagraph?.text ?? "").slice(0, 300) || fm.title.trim();
  const common = {
    path: file.path,
    title: fm.title.trim(),
    summary,
    tags: normaliseTags(fm.tags),
    visibility: fm.visibility ?? "internal",
    tenantRef: fm.tenant ?? null,
  };
  if (fm.kind === "runbook") {
    const list = tokens.find((t): t is Tokens.List => t.type === "list" && (t as Tokens.List).ordered);
    const steps = (list?.items ?? []).map((item, i) => ({ n: i + 1, text: plainText(item.text) }));
    if (steps.length === 0)
      return [at("a runbook needs its steps as a numbered list (1. …, 2. …) in the body", end + 2, "body")];
    return { ...common, kind: "runbook", steps, body: renderSteps(steps) };
  }
  if (bodyText === "") return [at("an article needs a body after the front matter", end + 2, "body")];
  return { ...common, kind: "article", steps: null, body: bodyText };
}

export function parseDocFiles(files: readonly DocFile[]): { docs: ParsedDoc[]; problems: DocsProblem[] } {
  const docs: ParsedDoc[] = [];
  const problems: DocsProblem[] = [];
  for (const f of files) {
    const r = parseDocFile(f);
    if (Array.isArray(r)) problems.push(...r);
    else docs.push(r);
  }
  if (files.length === 0) problems.push({ path: ".", message: "no Markdown (.md) files found" });
  return { docs, problems };
}

export interface TenantDoc extends ParsedDoc {
  tenantId: string;
}

export interface DocsImportPlan {
  counts: { inserted: number; updated: number; unchanged: number };
  tenantIds: string[];
  /** Documents imported earlier from a path the import no longer has: reported, never deleted. */
  vanished: { tenantId: string; path: string; id: string; kind: string }[];
  problems: DocsProblem[];
  empty: boolean;
  write(tx: DbLike): Promise<void>;
}

/**
 * Matches each document to the one stored for (tenant, path) and plans an insert, a new version or nothing.
 * `tenantIds` are the tenants whose earlier imports this one is compared with for vanished files.
 */
export async function planDocsImport(
  db: DbLike,
  input: { docs: readonly TenantDoc[]; tenantIds: readonly string[]; actorName: string; now: number },
): Promise<DocsImportPlan> {
  const { docs, actorName, now } = input;
  const tenantIds = [...new Set([...input.tenantIds, ...docs.map((d) => d.tenantId)])];
  const stored = tenantIds.length
    ? await db
        .select()
        .from(forgeDocuments)
        .where(and(inArray(forgeDocuments.tenantId, tenantIds), isNotNull(forgeDocuments.sourcePath)))
    : [];
  const byPath = new Map(stored.map((d) => [JSON.stringify([d.tenantId, d.sourcePath]), d]));
  const counts = { inserted: 0, updated: 0, unchanged: 0 };
  const problems: DocsProblem[] = [];
  const inserts: (typeof forgeDocuments.$inferInsert)[] = [];
  const updates: { id: string; fromVersion: number; set: Partial<typeof forgeDocuments.$inferInsert> }[] = [];
  const versions: (typeof forgeDocumentVersions.$inferInsert)[] = [];
  const seen = new Set<string>();
  for (const d of docs) {
    const k = JSON.stringify([d.tenantId, d.path]);
    seen.add(k);
    const existing = byPath.get(k);
    const content = {
      title: d.title,
      summary: d.summary,
      body: d.body,
      steps: d.steps ? stepsToColumn(d.steps) : null,
      tags: d.tags,
      visibility: d.visibility,
    };
    if (existing && existing.kind !== d.kind) {
      problems.push({
        path: d.path,
        field: "kind",
        message: `this path was imported as ${existing.kind} ${existing.id}; a document cannot change kind (import it under a new path)`,
      });
      continue;
    }
    if (existing && (Object.keys(content) as (keyof typeof content)[]).every((f) => existing[f] === content[f])) {
      counts.unchanged++;
      continue;
    }
    const id = existing?.id ?? newId(d.kind === "article" ? "kb" : "rb");
    const version = (existing?.version ?? 0) + 1;
    if (existing) {
      updates.push({
        id,
        fromVersion: existing.version,
        // A new version un-archives, as saving through forge does.
        set: {
          ...content,
          version,
          updatedBy: actorName,
          updatedAt: now,
          archivedAt: null,
          archivedBy: null,
          archiveReason: null,
        },
      });
      counts.updated++;
    } else {
      inserts.push({
        id,
        tenantId: d.tenantId,
        kind: d.kind,
        ...content,
        version,
        updatedBy: actorName,
        createdAt: now,
        updatedAt: now,
        sourcePath: d.path,
      });
      counts.inserted++;
    }
    versions.push({
      id: newId("dv"),
      documentId: id,
      tenantId: d.tenantId,
      ...content,
      version,
      changeNote: `imported from ${d.path}`,
      createdBy: actorName,
      createdAt: now,
    });
  }
  const vanished = stored
    .filter((s) => !seen.has(JSON.stringify([s.tenantId, s.sourcePath])))
    .map((s) => ({ tenantId: s.tenantId, path: s.sourcePath!, id: s.id, kind: s.kind }))
    .sort((a, b) => a.path.localeCompare(b.path));
  return {
    counts,
    tenantIds: [...new Set(docs.map((d) => d.tenantId))],
    vanished,
    problems,
    empty: inserts.length === 0 && updates.length === 0,
    async write(tx) {
      // SQLite binds at most 32766 variables per statement: rows go in chunks well below that.
      for (let i = 0; i < inserts.length; i += 200) await tx.insert(forgeDocuments).values(inserts.slice(i, i + 200));
      for (const u of updates) {
        const done = await tx
          .update(forgeDocuments)
          .set(u.set)
          .where(and(eq(forgeDocuments.id, u.id), eq(forgeDocuments.version, u.fromVersion)))
          .returning({ id: forgeDocuments.id });
        // Someone saved a version between planning and writing: roll the whole import back rather than skip it.
        if (done.length === 0)
          throw new ForgeError(
            "concurrent_change",
            `document ${u.id} changed while the import was prepared; import again`,
          );
      }
      for (let i = 0; i < versions.length; i += 200)
        await tx.insert(forgeDocumentVersions).values(versions.slice(i, i + 200));
    },
  };
}
