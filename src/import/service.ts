import type { AuditEvent, AuditLog } from "../audit/log";
import type { Clock } from "../shared/clock";
import { sha256Hex } from "../shared/crypto";
import type { Logger } from "../shared/log";
import type { Store } from "../store/index";
import { DomainError } from "../surfaces/kit/domain";
import { eq } from "drizzle-orm";
import { tenants as tenantsTable, users } from "../store/schema/tenancy";
import { resolveTenantRef, UnknownTenantError } from "../tenancy/resolve";
import { allowedTenantIds, CrossTenantError, type Principal, TenantScope } from "../tenancy/scope";
import type { ImportEncoding } from "./decode";
import { ImportError } from "./errors";
import type { ImportActorName, ImportKind, ImportSource, TenantRow } from "./kind";
import { IMPORT_KINDS } from "./kinds/index";
import { capProblems, type ImportReport, ZERO_COUNTS } from "./report";

export interface ImportDeps {
  store: Store;
  audit: AuditLog;
  clock: Clock;
  log: Logger;
}

/**
 * Who imports. The CLI acts as the operator of the machine (it can read the database file, so it may import into
 * any tenant) and is audited like an admin, with the OS user's name; an admin acts within their tenant scope.
 */
export type ImportActor =
  | { type: "cli"; osUser: string }
  | {
      type: "admin";
      principal: Principal;
      scope: TenantScope;
      via: "session" | "api_token";
      requestId: string;
      ip: string;
    };

export interface ImportRequest {
  kind: string;
  source: ImportSource;
  /** Tenant id or name (`--tenant`); each kind says what it means for it. */
  tenant?: string;
  dryRun: boolean;
  encoding?: ImportEncoding;
  flags?: Record<string, string | boolean>;
}

export function importKind(name: string): ImportKind {
  const kind = IMPORT_KINDS.find((k) => k.name === name);
  if (!kind)
    throw new ImportError(
      "unknown_kind",
      `unknown import kind "${name}"; the kinds are ${IMPORT_KINDS.map((k) => k.name).join(", ")}`,
    );
  return kind;
}

/** The operator's scope: every enabled tenant (allowedTenantIds' platform-admin rule). */
function operatorScope(osUser: string, all: readonly TenantRow[]): TenantScope {
  const principal: Principal = { userId: `cli:${osUser}`, role: "platform_admin", tenantId: "" };
  return new TenantScope(principal, allowedTenantIds(principal, all));
}

function sourceDigest(source: ImportSource): { sha256: string; bytes: number } {
  if (source.type === "bytes") return { sha256: sha256Hex(source.bytes), bytes: source.bytes.byteLength };
  const manifest = [...source.files]
    .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))
    .map((f) => `${sha256Hex(f.bytes)}  ${f.path}\n`)
    .join("");
  return { sha256: sha256Hex(manifest), bytes: source.files.reduce((n, f) => n + f.bytes.byteLength, 0) };
}

/** The name the rows an import writes carry: the admin user's name, or `cli:<os user>` for the operator. */
async function actorName(db: Store["db"], actor: ImportActor): Promise<ImportActorName> {
  if (actor.type === "cli") return { userId: null, name: `cli:${actor.osUser}` };
  const [u] = await db.select({ name: users.name }).from(users).where(eq(users.id, actor.principal.userId)).limit(1);
  return { userId: actor.principal.userId, name: u?.name ?? actor.principal.userId };
}

/**
 * THE import: one path for the CLI, the admin JSON API and the admin page. The file is size-checked, hashed,
 * decoded, parsed and validated, and compared with the store, all outside any write transaction; any problem
 * means nothing is written and every problem is reported. A valid file's writes and its audit row commit in one
 * short transaction (all or nothing); a dry run stops before it. Every call writes exactly one audit row
 * (`import.<kind>`), including refusals.
 */
export async function runImport(deps: ImportDeps, actor: ImportActor, req: ImportRequest): Promise<ImportReport> {
  const kind = importKind(req.kind);
  if (req.source.type === "tree" && !kind.tree)
    throw new ImportError("invalid_request", `${kind.name} imports one file, not a directory`);
  const digest = sourceDigest(req.source);
  if (digest.bytes > kind.maxBytes)
    throw new ImportError(
      "too_large",
      `the file is ${digest.bytes} bytes; ${kind.name} imports take at most ${kind.maxBytes} bytes`,
    );
  for (const name of Object.keys(req.flags ?? {}))
    if (!kind.flags?.[name]) throw new ImportError("invalid_request", `${kind.name} imports take no flag "${name}"`);

  const allTenants = await deps.store.db.select().from(tenantsTable);
  const scope = actor.type === "cli" ? operatorScope(actor.osUser, allTenants) : actor.scope;
  const report: ImportReport = {
    kind: kind.name,
    tenantIds: [],
    fileSha256: digest.sha256,
    bytes: digest.bytes,
    records: 0,
    dryRun: req.dryRun,
    applied: false,
    counts: { ...ZERO_COUNTS },
    problems: [],
    notes: [],
    auditId: null,
  };
  const event = (outcome: string, tenantId: string | null, extra: Record<string, unknown> = {}): AuditEvent => ({
    kind: "admin",
    action: `import.${kind.name}`,
    outcome,
    requestId: actor.type === "admin" ? actor.requestId : null,
    ip: actor.type === "admin" ? actor.ip : null,
    userId: actor.type === "admin" ? actor.principal.userId : null,
    tenantId: tenantId ?? (actor.type === "admin" ? actor.principal.tenantId : null),
    detail: {
      actor: actor.type,
      ...(actor.type === "cli" ? { os_user: actor.osUser } : { via: actor.via }),
      import_kind: kind.name,
      file_sha256: digest.sha256,
      bytes: digest.bytes,
      dry_run: req.dryRun,
      ...(req.encoding ? { encoding: req.encoding } : {}),
      ...(req.tenant !== undefined ? { tenant: req.tenant } : {}),
      ...extra,
    },
  });

  let target: TenantRow | null = null;
  if (req.tenant !== undefined) {
    try {
      target = resolveTenantRef(scope, allTenants, req.tenant);
    } catch (err) {
      if (err instanceof CrossTenantError || err instanceof UnknownTenantError) {
        const outcome = err instanceof CrossTenantError ? "denied_cross_tenant" : "invalid_input";
        await deps.audit.record(event(outcome, null, { target_tenant: req.tenant }));
        throw new ImportError("not_found", err.message);
      }
      throw err;
    }
  }

  const prepared = await kind.prepare(req.source, {
    db: deps.store.db,
    scope,
    tenants: allTenants,
    target,
    homeTenantId: actor.type === "admin" ? actor.principal.tenantId : null,
    actor: await actorName(deps.store.db, actor),
    encoding: req.encoding,
    flags: req.flags ?? {},
    now: deps.clock(),
  });
  if (!prepared.ok) {
    report.records = prepared.records;
    report.problems = capProblems(prepared.problems);
    const denied = prepared.deniedTenants ?? [];
    report.auditId = await deps.audit.record(
      event(denied.length > 0 ? "denied_cross_tenant" : "invalid_input", target?.id ?? null, {
        records: prepared.records,
        problems: prepared.problems.length,
        ...(denied.length > 0 ? { denied_tenants: denied.slice(0, 20) } : {}),
      }),
    );
    return report;
  }

  const { plan } = prepared;
  report.records = plan.records;
  report.counts = plan.counts;
  report.tenantIds = plan.tenantIds;
  report.notes = plan.notes;
  const tenantId = plan.tenantIds.length === 1 ? plan.tenantIds[0]! : (target?.id ?? null);
  const summary = {
    records: plan.records,
    counts: plan.counts,
    tenants: plan.tenantIds.slice(0, 20),
    ...(plan.auditDetail ?? {}),
  };
  if (req.dryRun) {
    report.auditId = await deps.audit.record(event("dry_run", tenantId, summary));
    return report;
  }
  if (plan.empty) {
    report.auditId = await deps.audit.record(event("ok", tenantId, { ...summary, unchanged_file: true }));
    report.applied = true;
    return report;
  }
  const started = performance.now();
  let writeMs = 0;
  try {
    report.auditId = await deps.store.db.transaction(async (tx) => {
      await plan.write(tx);
      writeMs = Math.round(performance.now() - started);
      return await deps.audit.appendInTransaction(tx, event("ok", tenantId, { ...summary, write_ms: writeMs }));
    });
  } catch (err) {
    if (!isConstraintViolation(err) && !(err instanceof DomainError && err.code === "concurrent_change")) throw err;
    // The plan was computed from rows read before the transaction; a writer that inserted the same natural key
    // since then trips a unique index, and one that changed a planned row fails the plan's version check
    // (concurrent_change); either way the whole transaction rolled back.
    await deps.audit.record(event("conflict", tenantId, summary));
    throw new ImportError(
      "conflict",
      "the data changed while the file was being checked; nothing was written, import it again",
    );
  }
  deps.log.info("import applied", { kind: kind.name, records: plan.records, write_ms: writeMs });
  report.applied = true;
  return report;
}

/** A SQLite constraint error (SQLITE_CONSTRAINT_*, https://sqlite.org/rescode.html#constraint), drizzle-wrapped or not. */
function isConstraintViolation(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e && depth < 4; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === "string" && code.startsWith("SQLITE_CONSTRAINT")) return true;
  }
  return false;
}
