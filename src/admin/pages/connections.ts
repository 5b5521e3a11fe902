import type { GrantSummary } from "../../oauth/grants";
import type { ClientListing, DeletedClientListing } from "../../oauth/admin-queries";
import type { Directory } from "../directory";
import type { AdminPrincipal } from "../principal";
import { html, layout, timeCell, type PageFrame } from "./layout";

function approveForm(clientId: string, tenants: { id: string; name: string }[], csrf: string | null) {
  if (tenants.length === 0) return html``;
  return html`<form method="post" action="/clients/${encodeURIComponent(clientId)}/approve" class="inline approve">
          <input type="hidden" name="csrf" value="${csrf ?? ""}">
          <label class="sr-only" for="approve-${clientId}">Tenant</label>
          <select name="tenant" id="approve-${clientId}" class="small">${tenants.map((t) => html`<option value="${t.id}">${t.name}</option>`)}</select>
          <button type="submit" class="small">Approve for tenant</button>
        </form>`;
}

export function renderConnections(opts: {
  principal: AdminPrincipal;
  csrf: string | null;
  grants: GrantSummary[];
  clients: ClientListing[];
  /** Only for a platform admin (who alone may restore); empty for everyone else. */
  deletedClients: DeletedClientListing[];
  directory: Directory;
  now: number;
  notice?: PageFrame["notice"];
}): string {
  const { principal, csrf, directory, now } = opts;
  const grantRows = opts.grants.map(
    (g) => html`<tr data-grant="${g.id}">
      <td><div>${g.userName}</div><div class="muted small">${g.userEmail}</div></td>
      <td>${directory.tenantName(g.tenantId) ?? g.tenantId}<div class="muted small">${g.tenantId}</div></td>
      <td>${g.clientName}<div class="muted small">${g.clientSource === "cimd" ? "metadata document" : "registered"}</div></td>
      <td><span class="badge surface">${g.surface}</span></td>
      <td>${g.scopes.map((s) => html`<span class="chip">${s}</span> `)}</td>
      <td>${timeCell(g.createdAt, now)}</td>
      <td>${timeCell(g.lastUsedAt, now)}</td>
      <td class="actions">
        <form method="post" action="/connections/${g.id}/revoke" class="inline" data-confirm="Revoke ${g.clientName}'s access to \
${g.surface} for ${g.userEmail}? The next call it makes will fail.">
          <input type="hidden" name="csrf" value="${csrf ?? ""}">
          <button type="submit" class="danger small">Revoke</button>
        </form>
      </td>
    </tr>`,
  );
  const tenantOptions = directory.tenants.filter((t) => !t.disabled);
  const clientRows = opts.clients.map(
    (c) => html`<tr data-client="${c.id}">
      <td><div>${c.name}</div><div class="muted small mono clip" title="${c.id}">${c.id}</div></td>
      <td><span class="badge neutral">${c.source === "cimd" ? "CIMD" : "DCR"}</span></td>
      <td class="small">${c.redirectUris.map((u) => html`<div class="mono clip" title="${u}">${u}</div>`)}</td>
      <td>${
        c.approvedTenantIds.length === 0
          ? html`<span class="muted">not approved</span>`
          : c.approvedTenantIds.map(
              (t) => html`<span \
class="chip" title="${t}">${directory.tenantName(t) ?? t}</span> `,
            )
      }</td>
      <td class="num">${c.liveGrants}</td>
      <td>${timeCell(c.lastUsedAt, now)}</td>
      <td class="actions">
        ${approveForm(
          c.id,
          tenantOptions.filter((t) => !c.approvedTenantIds.includes(t.id)),
          csrf,
        )}
        <form method="post" action="/clients/${encodeURIComponent(c.id)}/delete" class="inline" data-confirm="Delete the client ${c.name}? \
Every connection it holds is revoked.">
          <input type="hidden" name="csrf" value="${csrf ?? ""}">
          <button type="submit" class="danger small"${
            c.usedElsewhere && principal.role !== "platform_admin"
              ? html` disabled title="Also \
used by tenants outside your scope"`
              : ""
          }>Delete</button>
        </form>
      </td>
    </tr>`,
  );
  const deletedRows = opts.deletedClients.map(
    (c) => html`<tr data-deleted-client="${c.id}">
      <td><div>${c.name}</div><div class="muted small mono clip" title="${c.id}">${c.id}</div></td>
      <td><span class="badge neutral">${c.source === "cimd" ? "CIMD" : "DCR"}</span></td>
      <td>${timeCell(c.deletedAt, now)}</td>
      <td class="actions">
        <form method="post" action="/clients/${encodeURIComponent(c.id)}/restore" class="inline" data-confirm="Restore the client ${c.name}? \
It may connect again; its earlier connections stay revoked.">
          <input type="hidden" name="csrf" value="${csrf ?? ""}">
          <button type="submit" class="small">Restore</button>
        </form>
      </td>
    </tr>`,
  );
  const approveById =
    tenantOptions.length === 0
      ? html``
      : html`<form method="post" action="/clients/approve" class="inline approve" id="approve-by-id">
        <input type="hidden" name="csrf" value="${csrf ?? ""}">
        <label for="approve-client-id" class="small">Client ID</label>
        <input type="text" name="client_id" id="approve-client-id" class="small mono" required maxlength="2000" placeholder="from the \
technician's “approval needed” page">
        <label class="sr-only" for="approve-by-id-tenant">Tenant</label>
        <select name="tenant" id="approve-by-id-tenant" class="small">${tenantOptions.map((t) => html`<option value="${t.id}">${t.name}</option>`)}</select>
        <button type="submit" class="small">Approve for tenant</button>
      </form>`;
  return layout(
    { title: "Connections", nav: "connections", principal, csrf, notice: opts.notice },
    html`<div class="page-head"><h1>Connections</h1><p class="muted">Every live authorization of an AI client for a surface. Revoking takes \
effect on the client's very next request.</p></div>
    <section class="card">
      <div class="card-head"><h2>Live connections <span class="muted">(${opts.grants.length})</span></h2></div>
      ${
        opts.grants.length === 0
          ? html`<p class="empty">No live connections in your tenants. When someone connects ChatGPT or Claude to a server, it appears here.</p>`
          : html`<table class="data" id="grants"><thead><tr><th>User</th><th>Tenant</th><th>Client</th><th>Surface</th><th>Scopes</th>\
<th>Created</th><th>Last used</th><th></th></tr></thead><tbody>${grantRows}</tbody></table>`
      }
    </section>
    <section class="card">
      <div class="card-head"><h2>OAuth clients <span class="muted">(${opts.clients.length})</span></h2></div>
      <p class="muted small">Clients register themselves (dynamic registration) or identify by a metadata document URL (CIMD). Approve a \
client for a tenant so its technicians can connect \
it.${principal.role === "platform_admin" ? "" : " Listed are the clients approved for or connected in your tenants; approve a new one by its client ID."}</p>
      ${approveById}
      ${
        opts.clients.length === 0
          ? html`<p class="empty">No clients registered yet.</p>`
          : html`<table class="data" id="clients"><thead><tr><th>Client</th><th>Kind</th><th>Redirect URIs</th><th>Approved for</th>\
<th>Live</th><th>Last used</th><th></th></tr></thead><tbody>${clientRows}</tbody></table>`
      }
    </section>
    ${
      principal.role === "platform_admin" && opts.deletedClients.length > 0
        ? html`<section class="card">
      <div class="card-head"><h2>Deleted clients <span class="muted">(${opts.deletedClients.length})</span></h2></div>
      <p class="muted small">A deleted client is refused everywhere (a metadata-document URL stays blocked for every tenant). Restore undoes \
a mistaken deletion; its earlier connections stay revoked.</p>
      <table class="data" id="deleted-clients"><thead><tr><th>Client</th><th>Kind</th><th>Deleted</th><th></th></tr></thead>\
<tbody>${deletedRows}</tbody></table>
    </section>`
        : ""
    }`,
  );
}
