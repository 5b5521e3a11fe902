import type { ImportKind } from "../../import/kind";
import { describeProblem, type ImportReport } from "../../import/report";
import type { TenantInfo } from "../directory";
import type { AdminPrincipal } from "../principal";
import { html, layout, type PageFrame, raw } from "./layout";

export interface ImportFormValues {
  kind: string;
  tenant: string;
  encoding: string;
}

function countsTable(report: ImportReport): ReturnType<typeof html> {
  const { inserted, updated, unchanged } = report.counts;
  const verb = report.applied ? "" : "would be ";
  return html`<table class="data counts" id="import-counts"><tbody>
    <tr><th>Records</th><td>${report.records}</td></tr>
    <tr><th>${report.applied ? "Inserted" : "Would be inserted"}</th><td data-count="inserted">${inserted}</td></tr>
    <tr><th>${report.applied ? "Updated" : "Would be updated"}</th><td data-count="updated">${updated}</td></tr>
    <tr><th>${verb ? "Would be left unchanged" : "Unchanged"}</th><td data-count="unchanged">${unchanged}</td></tr>
  </tbody></table>`;
}

/** The report of a check or an import, with the Apply form when a clean dry run has something to change. */
function reportSection(opts: {
  report: ImportReport;
  fileName: string;
  staged: string | null;
  csrf: string | null;
}): ReturnType<typeof html> {
  const { report } = opts;
  const meta = html`<p class="muted small">${opts.fileName} · ${report.bytes} bytes · SHA-256 <span class="mono">${report.fileSha256.slice(0, 16)}…</span></p>`;
  if (report.problems.length > 0)
    return html`<section class="card" id="import-report" data-outcome="problems">
      <h2>${report.problems.length} problem${report.problems.length === 1 ? "" : "s"}: nothing was written</h2>
      ${meta}
      <p>Fix the file and check it again. Every problem is listed with its line and column.</p>
      <table class="data" id="import-problems"><thead><tr><th>Line</th><th>Column</th><th>Problem</th></tr></thead><tbody>${report.problems.map(
        (p) =>
          html`<tr><td>${p.line ?? "—"}</td><td>${p.column !== undefined ? `${p.column}${p.field ? ` (${p.field})` : ""}` : (p.field ?? p.pointer ?? p.path ?? "—")}</td><td title="${describeProblem(p)}">${p.message}</td></tr>`,
      )}</tbody></table>
    </section>`;
  if (report.applied) {
    const changed = report.counts.inserted + report.counts.updated;
    return html`<section class="card created" id="import-report" data-outcome="applied" role="status">
      <h2>${changed === 0 ? "Nothing changed: everything was already as in the file" : `Imported into ${report.tenantIds.join(", ")}`}</h2>
      ${meta}${countsTable(report)}
      ${report.notes.length > 0 ? html`<ul>${report.notes.map((n) => html`<li>${n}</li>`)}</ul>` : ""}
    </section>`;
  }
  const nothing = report.counts.inserted + report.counts.updated === 0;
  return html`<section class="card" id="import-report" data-outcome="checked">
    <h2>Dry run: the file is valid${nothing ? ", and nothing would change" : ""}</h2>
    ${meta}${countsTable(report)}
    ${report.notes.length > 0 ? html`<ul>${report.notes.map((n) => html`<li>${n}</li>`)}</ul>` : ""}
    ${
      opts.staged && !nothing
        ? html`<form method="post" action="/import/apply" class="row">
        <input type="hidden" name="csrf" value="${opts.csrf ?? ""}">
        <input type="hidden" name="staged" value="${opts.staged}">
        <button type="submit" class="primary" id="import-apply">Apply import</button>
        <span class="muted small">Writes exactly what the dry run reported, in one transaction, or nothing.</span>
      </form>`
        : ""
    }
  </section>`;
}

export function renderImport(opts: {
  principal: AdminPrincipal;
  csrf: string | null;
  kinds: readonly ImportKind[];
  tenants: readonly TenantInfo[];
  values: ImportFormValues;
  result?: { report: ImportReport; fileName: string; staged: string | null } | null;
  notice?: PageFrame["notice"];
}): string {
  const { values, csrf } = opts;
  const selected = (a: string, b: string) => raw(a === b ? " selected" : "");
  const tenantOptions = opts.tenants.filter((t) => !t.disabled);
  return layout(
    { title: "Import", nav: "import", principal: opts.principal, csrf, notice: opts.notice },
    html`<div class="page-head"><h1>Import</h1><p class="muted">Load your own catalog, contacts, security findings (OCSF) and knowledge documents (a zip of Markdown files). Check a file first: the dry run \
lists every problem with its line and column, or what would be inserted, updated and left unchanged. Nothing is written until you apply, \
and a file with any problem is never written. Scripts use <code>POST /api/import/KIND</code> with an API token.</p></div>
    ${opts.result ? reportSection({ ...opts.result, csrf }) : ""}
    <section class="card">
      <h2>Check a file</h2>
      <form method="post" action="/import" enctype="multipart/form-data" class="stack" id="import-form">
        <input type="hidden" name="csrf" value="${csrf ?? ""}">
        <label>Kind <select name="kind" id="import-kind">${opts.kinds.map(
          (k) => html`<option value="${k.name}"${selected(k.name, values.kind)}>${k.name}: ${k.summary}</option>`,
        )}</select></label>
        <label>Tenant <select name="tenant" id="import-tenant">
          <option value=""${selected("", values.tenant)}>Products: my own tenant's catalog · Contacts: the file's tenant column · \
Findings: each record's metadata.tenant_uid · Docs: front matter tenant, else my own tenant</option>
          ${tenantOptions.map((t) => html`<option value="${t.id}"${selected(t.id, values.tenant)}>${t.name} (${t.id}, ${t.kind})</option>`)}
        </select></label>
        <label>Encoding <select name="encoding" id="import-encoding">
          <option value=""${selected("", values.encoding)}>UTF-8 (or as its byte order mark says)</option>
          <option value="windows-1252"${selected("windows-1252", values.encoding)}>Windows-1252 (older Excel "CSV")</option>
        </select></label>
        <label>File <input type="file" name="file" id="import-file" required accept="${[...new Set(opts.kinds.flatMap((k) => k.accept.split(",")))].join(",")}"></label>
        <button type="submit" class="primary" id="import-check">Check (dry run)</button>
      </form>
    </section>`,
  );
}
