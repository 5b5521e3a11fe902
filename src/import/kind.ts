import type { DbLike } from "../store/index";
import type { tenants } from "../store/schema/tenancy";
import type { TenantScope } from "../tenancy/scope";
import { decodeImportBytes, type ImportEncoding } from "./decode";
import { ImportError } from "./errors";
import type { ImportCounts, ImportProblem } from "./report";

export type TenantRow = typeof tenants.$inferSelect;

/**
 * What is imported: the bytes of one file (CSV, JSON, a zip), or a tree of files read from a directory by the CLI
 * (paths relative to it, `/`-separated). A tree is hashed as its manifest (`sha256  path` lines, sorted by path, as
 * `sha256sum` prints them), so the same directory always has the same hash.
 */
export type ImportSource =
  | { type: "bytes"; bytes: Uint8Array }
  | { type: "tree"; files: readonly { path: string; bytes: Uint8Array }[] };

/** The one file of a single-file kind; the service never hands such a kind a tree (runImport refuses it first). */
export function sourceBytes(source: ImportSource): Uint8Array {
  if (source.type === "bytes") return source.bytes;
  throw new ImportError("invalid_request", "this kind imports one file, not a directory");
}

/** Who the rows a kind writes name (a finding's history, a document's author): the operator or the admin user. */
export interface ImportActorName {
  userId: string | null;
  name: string;
}

/** A kind-specific flag (`--full-scan` on the CLI, `full_scan=true` in the API). */
export interface ImportFlag {
  type: "boolean" | "string";
  description: string;
}

/** Everything a kind may read while it prepares; it never writes. */
export interface PrepareContext {
  /** The store, read outside the write transaction. */
  db: DbLike;
  scope: TenantScope;
  /** The tenants table as read at the start of the import (disabled tenants included). */
  tenants: readonly TenantRow[];
  /** The tenant the caller named (`--tenant`, `?tenant=`), already resolved and admitted; null when none. */
  target: TenantRow | null;
  /** The acting user's home tenant (admin); null for the CLI operator. */
  homeTenantId: string | null;
  actor: ImportActorName;
  encoding: ImportEncoding | undefined;
  flags: Readonly<Record<string, string | boolean>>;
  now: number;
}

/** A validated file turned into writes. Counts are what `write` changes (or would, on a dry run). */
export interface ImportPlan {
  records: number;
  counts: ImportCounts;
  tenantIds: string[];
  notes: string[];
  /** Kind-specific facts for the audit row (e.g. the findings an import reopened), beside the counts. */
  auditDetail?: Record<string, unknown>;
  /** True when `write` has nothing to do (every record unchanged). */
  readonly empty: boolean;
  /** The only code that runs inside the write transaction: statements, no parsing, no reads it can avoid. */
  write(tx: DbLike): Promise<void>;
}

export type PrepareOutcome =
  | { ok: true; plan: ImportPlan }
  | {
      ok: false;
      records: number;
      problems: ImportProblem[];
      /** Tenant references that named a real tenant outside the caller's scope (audited `denied_cross_tenant`). */
      deniedTenants?: string[];
    };

/**
 * One kind of import. `prepare` decodes, parses and validates the file (pure), then reads the store to resolve
 * references and compare with what is stored; it returns either every problem or a plan. The import service
 * (service.ts) does the rest: scope, size, hash, dry run, the write transaction and the audit row.
 */
export interface ImportKind {
  readonly name: string;
  /** One line for `--help` and the admin page. */
  readonly summary: string;
  /** Largest file accepted, in bytes (documented in README). */
  readonly maxBytes: number;
  /** Media type the admin page's file picker suggests (`accept`). */
  readonly accept: string;
  /** True when the CLI's FILE may be a directory (read as a tree of files). */
  readonly tree?: boolean;
  /** Kind-specific flags by their kebab-case CLI name (`full-scan`); the API takes them snake_case (`full_scan=true`). */
  readonly flags?: Readonly<Record<string, ImportFlag>>;
  prepare(source: ImportSource, ctx: PrepareContext): Promise<PrepareOutcome>;
}

/** Largest CSV file accepted (README "Importing your data"): larger files held the write transaction too long. */
export const CSV_MAX_BYTES = 5 * 1024 * 1024;

/**
 * A single-file CSV kind: the bytes are decoded once here (BOM, UTF-16, windows-1252; decode.ts) and `prepareText`
 * sees only text, so every CSV kind accepts the same encodings and sizes.
 */
export function csvKind(spec: {
  name: string;
  summary: string;
  prepareText(text: string, ctx: PrepareContext): Promise<PrepareOutcome>;
}): ImportKind {
  return {
    name: spec.name,
    summary: spec.summary,
    maxBytes: CSV_MAX_BYTES,
    accept: ".csv,text/csv",
    async prepare(source, ctx) {
      const decoded = decodeImportBytes(sourceBytes(source), ctx.encoding);
      if (!decoded.ok) return { ok: false, records: 0, problems: [decoded.problem] };
      return await spec.prepareText(decoded.text, ctx);
    },
  };
}
