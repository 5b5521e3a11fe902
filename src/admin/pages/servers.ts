import type { AdminPrincipal } from "../principal";
import type { ServerInventoryEntry } from "../servers";
import { html, layout } from "./layout";

export function renderServers(opts: {
  principal: AdminPrincipal;
  csrf: string | null;
  servers: ServerInventoryEntry[];
  /**
   * Per `[[audit.sinks]]` entry: audit rows not yet acknowledged, and the age of the oldest (src/observability/).
   * Absent for users who do not operate the appliance.
   */
  streamLag?: { sink: string; rows: number; seconds: number }[];
}): string {
  const lag = opts.streamLag ?? [];
  const stream = !opts.streamLag
    ? ""
    : html`<section class="card" id="audit-stream"><h2>Audit stream</h2>${
        lag.length === 0
          ? html`<p class="muted">No audit sinks are configured (<code>[[audit.sinks]]</code> in the config).</p>`
          : html`<ul class="plain">${lag.map(
              (s) =>
                html`<li class="stream-lag" data-sink="${s.sink}"><code>${s.sink}</code>: ${
                  s.rows === 0
                    ? html`<span class="badge ok">up to date</span>`
                    : html`<span class="badge danger">${String(s.rows)} row${s.rows === 1 ? "" : "s"} behind, oldest ${String(Math.round(s.seconds))} s</span>`
                }</li>`,
            )}</ul>`
      }</section>`;
  const cards = opts.servers.map(
    (s) => html`<section class="card server" id="surface-${s.surface}">
      <div class="card-head">
        <h2>${s.title} <span class="muted path">/${s.surface}</span></h2>
        <span class="badge ${s.enabled ? "ok" : "off"}">${s.enabled ? "Enabled" : "Disabled"}</span>
      </div>
      <dl class="kv">
        <dt>Server URL</dt>
        <dd><code class="copyable" data-copy="${s.url}">${s.url}</code> <button type="button" class="copy small" data-copy="${s.url}">Copy</button>
          <div class="hint">Paste this into ChatGPT (Settings → Connectors → Add custom connector) or Claude (Settings → Connectors → Add \
custom connector).</div>${s.reachabilityNote ? html`<div class="hint warn https-note">Note: ${s.reachabilityNote}.</div>` : ""}</dd>
        <dt>Protected resource metadata</dt>
        <dd><a href="${s.protectedResourceMetadataUrl}" rel="noreferrer"><code>${s.protectedResourceMetadataUrl}</code></a></dd>
        <dt>Tool catalog</dt>
        <dd><a href="${s.toolCatalogUrl}" rel="noreferrer"><code>GET ${s.toolCatalogUrl}</code></a></dd>
        <dt>Calls, last 24 h</dt>
        <dd><a href="/audit?range=24h&amp;kind=mcp&amp;surface=${s.surface}"><b class="num">${s.callsLast24h}</b></a></dd>
      </dl>
      <h3>Tools <span class="muted">(${s.tools.length}${
        s.tools.some((t) => t.destructive)
          ? ` · \
${s.tools.filter((t) => t.destructive).length} destructive, each asks the user to confirm`
          : ""
      })</span></h3>
      ${
        s.tools.length === 0
          ? html`<p class="empty">No tools are registered on this surface yet.</p>`
          : html`<table class="data tools">
        <thead><tr><th>Tool</th><th>Description</th><th>Scope</th><th>Behaviour</th></tr></thead>
        <tbody>${s.tools.map(
          (t) => html`<tr${t.destructive ? html` class="destructive-row"` : ""}>
            <td><code>${t.name}</code><div class="muted small">${t.title}</div></td>
            <td class="desc">${t.description}</td>
            <td><span class="chip">${t.scope}</span></td>
            <td class="badges">${
              t.destructive
                ? html`<span class="badge danger" title="Asks the user to confirm before it changes anything">Destructive · confirms</span>`
                : t.annotations.readOnlyHint
                  ? html`<span class="badge neutral">Read-only</span>`
                  : html`<span class="badge info">Writes</span>`
            }${t.annotations.idempotentHint ? html` <span class="badge neutral">Idempotent</span>` : ""}${
              t.annotations.openWorldHint ? html` <span class="badge neutral">Open world</span>` : ""
            }</td>
          </tr>`,
        )}</tbody>
      </table>`
      }
    </section>`,
  );
  return layout(
    { title: "Servers", nav: "servers", principal: opts.principal, csrf: opts.csrf },
    html`<div class="page-head"><h1>Servers</h1><p class="muted">The MCP servers this appliance serves. Each surface is its own server with \
its own OAuth resource and scopes.</p></div>${stream}${cards}`,
  );
}
