import type { AuditRow } from "../../audit/query";
import type { VerifyResult } from "../../audit/log";
import { SURFACES } from "../../config/schema";
import { auditQueryString, parseAuditTime } from "../audit-filters";
import type { Directory } from "../directory";
import type { AdminPrincipal } from "../principal";
import { formatTime, html, raw, layout, type Raw } from "./layout";

function outcomeClass(outcome: string): string {
  if (outcome === "ok" || outcome === "confirmed") return "ok";
  if (outcome.startsWith("denied") || outcome === "unauthorized" || outcome === "failed") return "danger";
  if (outcome === "confirmation_required") return "warn";
  // The person said no to a proposal: nothing ran, and nothing went wrong.
  if (outcome === "declined") return "neutral";
  if (outcome.endsWith("error") || outcome === "invalid_input" || outcome === "invalid_request") return "caution";
  return "neutral";
}

export function outcomeBadge(outcome: string): Raw {
  return html`<span class="badge ${outcomeClass(outcome)}">${outcome}</span>`;
}

/** The labels of the filter form's time ranges. */
const RANGE_LABELS = {
  "1h": "Last hour",
  "24h": "Last 24 hours",
  "7d": "Last 7 days",
  "30d": "Last 30 days",
  all: "All time",
  custom: "Custom…",
} as const;

export function chainBadge(chain: VerifyResult): Raw {
  return chain.ok
    ? html`<span class="badge ok" title="Every row's hash links to the previous one (cavaridge audit verify)">Chain intact · ${chain.rows} rows verified</span>`
    : html`<span class="badge danger" title="A row was edited or removed (cavaridge audit verify lists every range)">Chain broken · \
${chain.breaks.length} range(s): ${chain.breaks
        .slice(0, 3)
        .map((b) => `#${b.firstSeq}${b.lastSeq === b.firstSeq ? "" : `–#${b.lastSeq}`} (${b.reason})`)
        .join(", ")}${chain.breaks.length > 3 ? ", …" : ""}</span>`;
}

function select(
  name: string,
  label: string,
  current: string | undefined,
  options: { value: string; label: string }[],
  anyLabel = "Any",
): Raw {
  return html`<label>${label}<select name="${name}" data-autosubmit><option value="">${anyLabel}</option>${options.map(
    (o) => html`<option value="${o.value}"${o.value === current ? raw(" selected") : ""}>${o.label}</option>`,
  )}${current && !options.some((o) => o.value === current) ? html`<option value="${current}" selected>${current}</option>` : ""}</select></label>`;
}

/** An HTML datetime-local value (UTC) for a time given in any accepted form; empty when it does not parse. */
function datetimeLocal(value: string | undefined): string {
  if (!value) return "";
  try {
    return new Date(parseAuditTime(value, "time")).toISOString().slice(0, 16);
  } catch {
    return "";
  }
}

export interface AuditPageData {
  principal: AdminPrincipal;
  csrf: string | null;
  echo: Record<string, string>;
  rows: AuditRow[];
  nextCursor: string | null;
  isFirstPage: boolean;
  chart: string;
  chain: VerifyResult;
  directory: Directory;
  clientNames: Map<string, string>;
  options: { tools: string[]; outcomes: string[]; clients: string[] };
}

export function renderAudit(d: AuditPageData): string {
  const e = d.echo;
  const custom = e.range === "custom";
  const rows = d.rows.map(
    (r) => html`<tr class="row-link" data-href="/audit/${r.id}">
      <td class="nowrap"><a href="/audit/${r.id}">${formatTime(r.at)}</a></td>
      <td>${r.surface ? html`<span class="badge surface">${r.surface}</span>` : html`<span class="muted">${r.kind}</span>`}</td>
      <td><code>${r.tool ?? r.action}</code>${r.confirmsId ? html` <span class="muted small" title="Confirms an earlier call">↩ confirms</span>` : ""}</td>
      <td>${outcomeBadge(r.outcome)}</td>
      <td class="small">${d.directory.userLabel(r.userId) ?? r.userId ?? html`<span class="muted">—</span>`}</td>
      <td class="small">${d.directory.tenantName(r.tenantId) ?? r.tenantId ?? html`<span class="muted">—</span>`}</td>
      <td class="small">${r.clientId ? (d.clientNames.get(r.clientId) ?? r.clientId) : html`<span class="muted">—</span>`}</td>
      <td class="num small">${r.latencyMs !== null ? `${r.latencyMs} ms` : ""}</td>
    </tr>`,
  );
  const qs = auditQueryString(e);
  return layout(
    { title: "Audit", nav: "audit", principal: d.principal, csrf: d.csrf },
    html`<div class="page-head split"><div><h1>Audit log</h1><p class="muted">Every call across /forge, /cavalier and /aegis, every sign-in \
and every admin action — newest first.</p></div><div>${chainBadge(d.chain)}</div></div>
    <section class="card">
      <form method="get" action="/audit" class="filters" id="audit-filters">
        <label>Time range<select name="range" data-autosubmit data-toggle-custom>
          ${(["1h", "24h", "7d", "30d", "all", "custom"] as const).map(
            (r) => html`<option value="${r}"${e.range === r ? raw(" selected") : ""}>${RANGE_LABELS[r]}</option>`,
          )}
        </select></label>
        <label class="custom-range${custom ? "" : " hidden"}">From (UTC)<input type="datetime-local" name="from" value="${datetimeLocal(e.from)}"></label>
        <label class="custom-range${custom ? "" : " hidden"}">To (UTC)<input type="datetime-local" name="to" value="${datetimeLocal(e.to)}"></label>
        ${select(
          "surface",
          "Surface",
          e.surface,
          SURFACES.map((s) => ({ value: s, label: s })),
        )}
        ${select(
          "tool",
          "Tool",
          e.tool,
          d.options.tools.map((t) => ({ value: t, label: t })),
        )}
        ${select(
          "outcome",
          "Outcome",
          e.outcome,
          d.options.outcomes.map((t) => ({ value: t, label: t })),
        )}
        ${select(
          "user",
          "User",
          e.user,
          d.directory.users.map((u) => ({ value: u.email, label: u.email })),
        )}
        ${select(
          "tenant",
          "Tenant",
          e.tenant,
          d.directory.tenants.map((t) => ({ value: t.id, label: t.name })),
        )}
        ${select(
          "client",
          "Client",
          e.client,
          d.options.clients.map((c) => ({ value: c, label: d.clientNames.get(c) ?? c })),
        )}
        ${select(
          "kind",
          "Kind",
          e.kind,
          ["mcp", "oauth", "admin", "system"].map((k) => ({ value: k, label: k })),
        )}
        <div class="filter-actions">
          <button type="submit" class="primary">Apply</button>
          <a href="/audit" class="button">Reset</a>
          <span class="sep"></span>
          <a class="button" id="export-csv" \
href="/api/mcp/audit/export?${raw(auditQueryString(e, { format: "csv" }).replaceAll("&", "&amp;"))}" download>Export CSV</a>
          <a class="button" id="export-jsonl" \
href="/api/mcp/audit/export?${raw(auditQueryString(e, { format: "jsonl" }).replaceAll("&", "&amp;"))}" download>Export JSON lines</a>
        </div>
      </form>
      ${raw(d.chart)}
    </section>
    <section class="card">
      ${
        d.rows.length === 0
          ? html`<p class="empty">No audit rows match these filters.</p>`
          : html`<table class="data" id="audit-rows"><thead><tr><th>Time (UTC)</th><th>Surface</th><th>Tool / action</th><th>Outcome</th>\
<th>User</th><th>Tenant</th><th>Client</th><th class="num">Latency</th></tr></thead><tbody>${rows}</tbody></table>`
      }
      <nav class="pager" aria-label="Pages">
        ${d.isFirstPage ? html`<span class="muted">Newest</span>` : html`<a href="/audit?${raw(qs.replaceAll("&", "&amp;"))}">« Newest</a>`}
        ${
          d.nextCursor
            ? html`<a id="older" \
href="/audit?${raw(auditQueryString(e, { cursor: d.nextCursor }).replaceAll("&", "&amp;"))}">Older »</a>`
            : html`<span class="muted">End of log</span>`
        }
      </nav>
    </section>`,
  );
}

export function renderAuditDetail(d: {
  principal: AdminPrincipal;
  csrf: string | null;
  row: AuditRow;
  confirmedBy: AuditRow[];
  directory: Directory;
  clientNames: Map<string, string>;
}): string {
  const r = d.row;
  let detail = "";
  if (r.detail) {
    try {
      detail = JSON.stringify(JSON.parse(r.detail), null, 2);
    } catch {
      detail = r.detail;
    }
  }
  const field = (label: string, value: Raw | string | number | null | undefined) =>
    html`<dt>${label}</dt><dd>${value === null || value === undefined || value === "" ? html`<span class="muted">—</span>` : value}</dd>`;
  return layout(
    { title: `Audit ${r.id}`, nav: "audit", principal: d.principal, csrf: d.csrf },
    html`<div class="page-head"><p><a href="/audit">« Audit log</a></p><h1><code>${r.tool ?? r.action}</code> \
${outcomeBadge(r.outcome)}</h1><p class="muted">${formatTime(r.at)} UTC · row #${r.seq}</p></div>
    <section class="card">
      <dl class="kv">
        ${field("Id", html`<code>${r.id}</code>`)}
        ${field("Kind", r.kind)}
        ${field("Action", html`<code>${r.action}</code>`)}
        ${field("Surface", r.surface)}
        ${field("Tool", r.tool)}
        ${field("Outcome", outcomeBadge(r.outcome))}
        ${field("User", r.userId ? html`${d.directory.userLabel(r.userId) ?? ""} <span class="muted small mono">${r.userId}</span>` : null)}
        ${field("Tenant", r.tenantId ? html`${d.directory.tenantName(r.tenantId) ?? ""} <span class="muted small mono">${r.tenantId}</span>` : null)}
        ${field("Client", r.clientId ? html`${d.clientNames.get(r.clientId) ?? ""} <span class="muted small mono">${r.clientId}</span>` : null)}
        ${field("Grant", r.grantId ? html`<code>${r.grantId}</code>` : null)}
        ${field("Request id", r.requestId ? html`<code>${r.requestId}</code>` : null)}
        ${field("Address", r.ip)}
        ${field("Latency", r.latencyMs !== null ? `${r.latencyMs} ms` : null)}
        ${field(
          "Confirms",
          r.confirmsId
            ? html`<a href="/audit/${r.confirmsId}" id="confirms-link">the call it confirmed \
(<code>${r.confirmsId}</code>)</a>`
            : null,
        )}
        ${field(
          "Confirmed by",
          d.confirmedBy.length
            ? html`${d.confirmedBy.map(
                (c) => html`<a href="/audit/${c.id}"><code>${c.id}</code>\
</a> ${outcomeBadge(c.outcome)} `,
              )}`
            : null,
        )}
        ${field("Hash", html`<code class="small">${r.hash}</code>`)}
        ${field("Previous hash", html`<code class="small">${r.prevHash}</code>`)}
      </dl>
      <h2>Arguments / detail <span class="muted small">(secrets redacted before storage)</span></h2>
      ${detail ? html`<pre class="json">${detail}</pre>` : html`<p class="empty">No detail recorded.</p>`}
    </section>`,
  );
}
