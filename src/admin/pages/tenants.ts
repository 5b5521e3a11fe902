import type { GrantSummary } from "../../oauth/grants";
import type { Directory } from "../directory";
import type { AdminPrincipal } from "../principal";
import { html, layout, ROLE_LABEL } from "./layout";

export function renderTenants(opts: {
  principal: AdminPrincipal;
  csrf: string | null;
  directory: Directory;
  grants: GrantSummary[];
}): string {
  const { directory } = opts;
  const byUser = new Map<string, GrantSummary[]>();
  for (const g of opts.grants) byUser.set(g.userId, [...(byUser.get(g.userId) ?? []), g]);
  const sections = directory.tenants.map((t) => {
    const people = directory.users.filter((u) => u.tenantId === t.id);
    return html`<section class="card" id="tenant-${t.id}">
      <div class="card-head">
        <h2>${t.name} <span class="muted path">${t.id}</span></h2>
        <span>
          <span class="badge neutral">${t.kind}</span>
          ${t.parentId ? html`<span class="muted small">under ${directory.tenantName(t.parentId) ?? t.parentId}</span>` : ""}
          ${t.disabled ? html`<span class="badge off">Disabled</span>` : ""}
        </span>
      </div>
      <p class="muted small">${t.currency} · region ${t.region} · tax ${(t.taxRateBps / 100).toFixed(2)}%</p>
      ${
        people.length === 0
          ? html`<p class="empty">No users in this tenant.</p>`
          : html`<table class="data"><thead><tr><th>User</th><th>Role</th><th>Status</th><th>Connections</th></tr></thead><tbody>${people.map(
              (u) => html`<tr>
                <td><div>${u.name}</div><div class="muted small">${u.email}</div></td>
                <td>${ROLE_LABEL[u.role] ?? u.role}</td>
                <td>${u.disabled ? html`<span class="badge off">Disabled</span>` : html`<span class="badge ok">Active</span>`}</td>
                <td>${(byUser.get(u.id) ?? []).map(
                  (g) => html`<span class="chip" title="${g.scopes.join(" ")}">${g.clientName} → \
${g.surface}</span> `,
                )}${(byUser.get(u.id) ?? []).length === 0 ? html`<span class="muted">none</span>` : ""}</td>
              </tr>`,
            )}</tbody></table>`
      }
    </section>`;
  });
  return layout(
    { title: "Tenants & users", nav: "tenants", principal: opts.principal, csrf: opts.csrf },
    html`<div class="page-head"><h1>Tenants &amp; users</h1><p class="muted">Read-only: tenants and users come from the configuration file \
and are synced at every start. Edit the config to change them.</p></div>${sections}`,
  );
}
