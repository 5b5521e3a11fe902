import type { AppContext } from "../context";
import { readCappedBytes } from "../http/read-capped-body";
import { type ImportEncoding, isImportEncoding } from "../import/decode";
import { ImportError, type ImportErrorCode } from "../import/errors";
import type { ImportKind } from "../import/kind";
import { type ImportReport, reportJson } from "../import/report";
import { type ImportRequest, importKind, runImport } from "../import/service";
import { AdminError, type AdminErrorCode } from "./errors";
import { apiJson, requireCsrf, type AdminRequest, type Authenticated } from "./http";

const ADMIN_CODE: Record<ImportErrorCode, AdminErrorCode> = {
  unknown_kind: "not_found",
  too_large: "too_large",
  invalid_request: "invalid_request",
  not_found: "not_found",
  forbidden: "forbidden",
};

/** An ImportError as the admin boundary's one error type. */
export function adminErrorOf(err: ImportError): AdminError {
  return new AdminError(ADMIN_CODE[err.code], err.message);
}

export function kindOrNotFound(name: string): ImportKind {
  try {
    return importKind(name);
  } catch (err) {
    if (err instanceof ImportError) throw adminErrorOf(err);
    throw err;
  }
}

/** Runs one import as the signed-in admin: their tenant scope, their id on the audit row. */
export async function importAsAdmin(
  ctx: AppContext,
  req: AdminRequest,
  auth: Authenticated,
  request: ImportRequest,
): Promise<ImportReport> {
  const { principal } = auth;
  try {
    return await runImport(
      ctx,
      {
        type: "admin",
        principal: { userId: principal.userId, role: principal.role, tenantId: principal.tenantId },
        scope: principal.scope,
        via: principal.via,
        requestId: req.requestId,
        ip: req.ip,
      },
      request,
    );
  } catch (err) {
    if (err instanceof ImportError) throw adminErrorOf(err);
    throw err;
  }
}

export function parseEncoding(value: string | null | undefined): ImportEncoding | undefined {
  if (value === null || value === undefined || value === "") return undefined;
  const lower = value.toLowerCase();
  if (!isImportEncoding(lower))
    throw new AdminError("invalid_request", "encoding must be utf-8 or windows-1252 (a byte order mark always wins)");
  return lower;
}

function parseBoolean(name: string, value: string): boolean {
  if (value === "true" || value === "1") return true;
  if (value === "false" || value === "0") return false;
  throw new AdminError("invalid_request", `${name} must be true or false`);
}

/**
 * `POST /api/import/{kind}?tenant=T&dry_run=true&encoding=windows-1252`, body = the file. 200 with the report when
 * the file was imported (or dry-run checked); 422 with the same report when it has problems (nothing written);
 * 413 beyond the kind's size limit (read with that cap on the stream); 404 for a tenant outside the caller's scope
 * (audited `denied_cross_tenant`), exactly as for one that does not exist.
 */
export async function apiImport(
  ctx: AppContext,
  req: AdminRequest,
  auth: Authenticated,
  kindName: string,
): Promise<Response> {
  requireCsrf(auth, req, req.request.headers.get("x-csrf-token"));
  const kind = kindOrNotFound(kindName);
  const params = req.url.searchParams;
  const flags: Record<string, string | boolean> = {};
  for (const key of new Set(params.keys())) {
    if (key === "tenant" || key === "dry_run" || key === "encoding") continue;
    const flag = kind.flags?.[key.replaceAll("_", "-")];
    if (!flag) throw new AdminError("invalid_request", `unknown parameter ${key}`);
    flags[key.replaceAll("_", "-")] = flag.type === "boolean" ? parseBoolean(key, params.get(key)!) : params.get(key)!;
  }
  const encoding = parseEncoding(params.get("encoding"));
  const dryRun = params.has("dry_run") ? parseBoolean("dry_run", params.get("dry_run")!) : false;
  const tenant = params.get("tenant") || undefined;
  const bytes = await readCappedBytes(req.request, kind.maxBytes);
  if (bytes === null)
    throw new AdminError("too_large", `${kind.name} imports take at most ${kind.maxBytes} bytes (the file is larger)`);
  const report = await importAsAdmin(ctx, req, auth, {
    kind: kind.name,
    source: { type: "bytes", bytes },
    dryRun,
    ...(tenant !== undefined ? { tenant } : {}),
    ...(encoding ? { encoding } : {}),
    flags,
  });
  return apiJson(reportJson(report), report.problems.length > 0 ? 422 : 200);
}
