import { type DocFile, parseDocFiles, planDocsImport, type TenantDoc } from "../../surfaces/forge/docs-import";
import { visibilityFor } from "../../surfaces/forge/documents";
import { resolveTenantRef, UnknownTenantError } from "../../tenancy/resolve";
import { CrossTenantError } from "../../tenancy/scope";
import { decodeImportBytes } from "../decode";
import type { ImportKind, PrepareContext, TenantRow } from "../kind";
import type { ImportProblem } from "../report";
import { readZipTree, type TreeFile } from "../tree";

const MARKDOWN = /\.(md|markdown)$/i;
/**
 * The most a docs import reads: the directory's files, or the zip's uncompressed entries, in all. Measured: 2000
 * files and 10 MiB, all new (rows, versions and the FTS5 index), write in ~1.5 s wall on a loaded 2-core host.
 */
const DOCS_MAX_BYTES = 10 * 1024 * 1024;

/**
 * The tenant of documents whose front matter names none ("MSP-wide"): the tenant named with --tenant, else the
 * importer's own, else the one MSP in scope. Several MSPs and no --tenant is a problem, never a guess.
 */
function defaultTenant(ctx: PrepareContext): TenantRow | null {
  if (ctx.target) return ctx.target;
  const home = ctx.tenants.find((t) => t.id === ctx.homeTenantId);
  if (home) return home;
  const msps = ctx.tenants.filter((t) => t.kind === "msp" && ctx.scope.includes(t.id));
  return msps.length === 1 ? msps[0]! : null;
}

/**
 * `docs`: Markdown articles and runbooks with YAML front matter, from a directory (CLI) or a zip (admin API). The
 * parsing and the plan are forge's (src/surfaces/forge/docs-import.ts); this file reads the tree, resolves tenants
 * in the caller's scope and reports.
 */
export const docsKind: ImportKind = {
  name: "docs",
  summary:
    "Markdown articles and runbooks with YAML front matter (title, kind, tenant, visibility, tags): a directory on " +
    "the CLI, a zip in the API; upsert by relative path, a changed file makes a new version",
  maxBytes: DOCS_MAX_BYTES,
  accept: ".zip,application/zip",
  tree: true,
  async prepare(source, ctx) {
    let tree: readonly TreeFile[];
    if (source.type === "tree") tree = source.files;
    else {
      const zip = readZipTree(source.bytes, DOCS_MAX_BYTES);
      if ("problems" in zip) return { ok: false, records: 0, problems: zip.problems };
      tree = zip.files;
    }
    const problems: ImportProblem[] = [];
    const files: DocFile[] = [];
    for (const f of tree.filter((t) => MARKDOWN.test(t.path)).sort((a, b) => a.path.localeCompare(b.path))) {
      const decoded = decodeImportBytes(f.bytes, ctx.encoding);
      if (decoded.ok) files.push({ path: f.path, text: decoded.text });
      else problems.push({ ...decoded.problem, path: f.path });
    }
    const parsed = parseDocFiles(files);
    problems.push(...parsed.problems);

    const fallback = defaultTenant(ctx);
    const staff = (await visibilityFor(ctx.db, ctx.scope)).staff;
    const denied = new Set<string>();
    const docs: TenantDoc[] = [];
    for (const d of parsed.docs) {
      let tenant: TenantRow | null = fallback;
      if (d.tenantRef !== null) {
        try {
          tenant = resolveTenantRef(ctx.scope, ctx.tenants, d.tenantRef);
        } catch (err) {
          if (!(err instanceof CrossTenantError || err instanceof UnknownTenantError)) throw err;
          if (err instanceof CrossTenantError) denied.add(d.tenantRef);
          problems.push({ path: d.path, field: "tenant", message: `"${d.tenantRef}": ${err.message}` });
          continue;
        }
      }
      if (!tenant) {
        problems.push({
          path: d.path,
          field: "tenant",
          message: "no tenant: set tenant in the front matter, or name the MSP with --tenant (tenant= in the API)",
        });
        continue;
      }
      // forge_save_article's rule: only MSP staff write internal documents.
      if (!staff && d.visibility === "internal") {
        problems.push({
          path: d.path,
          field: "visibility",
          message: "only MSP staff can import internal documents; set visibility: client in the front matter",
        });
        continue;
      }
      docs.push({ ...d, tenantId: tenant.id });
    }
    const records = files.length;
    if (problems.length > 0) return { ok: false, records, problems, deniedTenants: [...denied] };
    const plan = await planDocsImport(ctx.db, {
      docs,
      // Earlier imports are compared for vanished files within the default tenant and its clients (a tree may
      // place documents in the MSP's client tenants), as far as the caller's scope reaches.
      tenantIds: fallback
        ? ctx.tenants
            .filter((t) => (t.id === fallback.id || t.parentId === fallback.id) && ctx.scope.includes(t.id))
            .map((t) => t.id)
        : [],
      actorName: ctx.actor.name,
      now: ctx.now,
    });
    if (plan.problems.length > 0) return { ok: false, records, problems: plan.problems };
    const skipped = tree.length - files.length;
    return {
      ok: true,
      plan: {
        records,
        counts: plan.counts,
        tenantIds: plan.tenantIds,
        notes: [
          ...plan.vanished.map(
            (v) =>
              `vanished: ${v.path} (${v.kind} ${v.id}, ${v.tenantId}) is no longer in the import; kept (archive it with forge_archive_document if it is obsolete)`,
          ),
          ...(skipped > 0 ? [`${skipped} file${skipped === 1 ? "" : "s"} without a .md extension skipped`] : []),
        ],
        auditDetail: { vanished: plan.vanished.map((v) => v.path).slice(0, 100) },
        empty: plan.empty,
        write: plan.write,
      },
    };
  },
};
