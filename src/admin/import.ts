import type { AppContext } from "../context";
import { readCappedBytes } from "../http/read-capped-body";
import { type ImportEncoding, isImportEncoding } from "../import/decode";
import { ImportError, type ImportErrorCode } from "../import/errors";
import type { ImportKind } from "../import/kind";
import { type ImportReport, reportJson } from "../import/report";
import { type ImportRequest, importKind, runImport } from "../import/service";
import { IMPORT_KINDS, MAX_IMPORT_UPLOAD_BYTES } from "../import/kinds/index";
import { loadDirectory } from "./directory";
import { AdminError, type AdminErrorCode } from "./errors";
import { apiJson, htmlResponse, readForm, requireCsrf, type AdminRequest, type Authenticated } from "./http";
import type { ImportStash } from "./import-stash";
import { type ImportFormValues, renderImport } from "./pages/import";

const ADMIN_CODE: Record<ImportErrorCode, AdminErrorCode> = {
  unknown_kind: "not_found",
  too_large: "too_large",
  invalid_request: "invalid_request",
  not_found: "not_found",
  forbidden: "forbidden",
  conflict: "conflict",
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

/** The Import page: the form, and the report of the last check or import when there is one. */
export async function importPage(
  ctx: AppContext,
  auth: Authenticated,
  result: { report: ImportReport; fileName: string; staged: string | null; values?: ImportFormValues } | null = null,
  status = 200,
): Promise<Response> {
  const directory = await loadDirectory(ctx.store.db, auth.principal);
  return htmlResponse(
    renderImport({
      principal: auth.principal,
      csrf: auth.csrf,
      kinds: IMPORT_KINDS,
      tenants: directory.tenants,
      values: result?.values ?? { kind: IMPORT_KINDS[0]!.name, tenant: "", encoding: "" },
      result,
    }),
    status,
  );
}

/**
 * POST /import (multipart: kind, tenant, encoding, file): a dry run. A clean file is staged for Apply (bound to
 * this admin); the report is shown either way. The body is read with the upload cap on the stream.
 */
export async function importCheckForm(
  ctx: AppContext,
  req: AdminRequest,
  auth: Authenticated,
  stash: ImportStash,
): Promise<Response> {
  if (!auth.session) throw new AdminError("forbidden", "the Import page is used from a signed-in browser session");
  const type = req.request.headers.get("content-type") ?? "";
  if (!type.startsWith("multipart/form-data"))
    throw new AdminError("invalid_request", "expected a file upload (multipart/form-data)");
  const body = await readCappedBytes(req.request, MAX_IMPORT_UPLOAD_BYTES);
  if (body === null) throw new AdminError("too_large", `an upload takes at most ${MAX_IMPORT_UPLOAD_BYTES} bytes`);
  let form: FormData;
  try {
    form = await new Response(body, { headers: { "content-type": type } }).formData();
  } catch {
    throw new AdminError("invalid_request", "the form could not be read");
  }
  const field = (name: string) => {
    const v = form.get(name);
    return typeof v === "string" ? v : "";
  };
  requireCsrf(auth, req, field("csrf"));
  const kind = kindOrNotFound(field("kind"));
  const file = form.get("file");
  if (!(file instanceof Blob)) throw new AdminError("invalid_request", "choose a file to import");
  if (file.size > kind.maxBytes)
    throw new AdminError("too_large", `${kind.name} imports take at most ${kind.maxBytes} bytes (the file is larger)`);
  const bytes = new Uint8Array(await file.arrayBuffer());
  const fileName = (file instanceof File && file.name) || "upload";
  const values: ImportFormValues = { kind: kind.name, tenant: field("tenant"), encoding: field("encoding") };
  const encoding = parseEncoding(values.encoding);
  const tenant = values.tenant.trim() || undefined;
  const report = await importAsAdmin(ctx, req, auth, {
    kind: kind.name,
    source: { type: "bytes", bytes },
    dryRun: true,
    ...(tenant !== undefined ? { tenant } : {}),
    ...(encoding ? { encoding } : {}),
  });
  const staged =
    report.problems.length === 0
      ? stash.put(
          {
            userId: auth.principal.userId,
            kind: kind.name,
            tenant,
            encoding,
            fileName,
            bytes,
            fileSha256: report.fileSha256,
          },
          req.now,
        )
      : null;
  return importPage(ctx, auth, { report, fileName, staged, values }, report.problems.length > 0 ? 422 : 200);
}

/** POST /import/apply (csrf, staged): imports the file this admin checked, validating it all again. */
export async function importApplyForm(
  ctx: AppContext,
  req: AdminRequest,
  auth: Authenticated,
  stash: ImportStash,
): Promise<Response> {
  const form = await readForm(req.request);
  requireCsrf(auth, req, form.get("csrf"));
  const staged = stash.take(form.get("staged") ?? "", auth.principal.userId, req.now);
  if (!staged)
    throw new AdminError(
      "invalid_request",
      "the checked file is no longer held (it is kept 15 minutes, by the process that checked it); check it again",
    );
  const report = await importAsAdmin(ctx, req, auth, {
    kind: staged.kind,
    source: { type: "bytes", bytes: staged.bytes },
    dryRun: false,
    ...(staged.tenant !== undefined ? { tenant: staged.tenant } : {}),
    ...(staged.encoding ? { encoding: staged.encoding } : {}),
  });
  const values = { kind: staged.kind, tenant: staged.tenant ?? "", encoding: staged.encoding ?? "" };
  return importPage(
    ctx,
    auth,
    { report, fileName: staged.fileName, staged: null, values },
    report.problems.length > 0 ? 422 : 200,
  );
}
