import type { AdminApiTokenInfo } from "../api-tokens";
import type { AdminPrincipal } from "../principal";
import { html, layout, timeCell, type PageFrame } from "./layout";

export function renderTokens(opts: {
  principal: AdminPrincipal;
  csrf: string | null;
  tokens: AdminApiTokenInfo[];
  created?: { name: string; token: string } | null;
  now: number;
  adminUrl: string;
  notice?: PageFrame["notice"];
}): string {
  const { csrf, now } = opts;
  return layout(
    { title: "API tokens", nav: "tokens", principal: opts.principal, csrf, notice: opts.notice },
    html`<div class="page-head"><h1>API tokens</h1><p class="muted">Tokens for the admin JSON API (<code>/api/mcp/…</code>). A token acts \
with your role and sees exactly the tenants you see.</p></div>
    ${
      opts.created
        ? html`<section class="card created" role="status">
        <h2>Token “${opts.created.name}” created</h2>
        <p>Copy it now: it is shown only once and stored only as a hash.</p>
        <p><code class="secret" id="new-token">${opts.created.token}</code> <button type="button" class="copy small" \
data-copy="${opts.created.token}">Copy</button></p>
        <pre class="small">curl -H "Authorization: Bearer ${opts.created.token}" ${opts.adminUrl}/api/mcp/connections</pre>
      </section>`
        : ""
    }
    <section class="card">
      <h2>Create a token</h2>
      <form method="post" action="/tokens" class="row">
        <input type="hidden" name="csrf" value="${csrf ?? ""}">
        <label>Name <input type="text" name="name" required maxlength="80" placeholder="monitoring"></label>
        <button type="submit" class="primary">Create token</button>
      </form>
    </section>
    <section class="card">
      <h2>Your tokens</h2>
      ${
        opts.tokens.length === 0
          ? html`<p class="empty">You have no API tokens.</p>`
          : html`<table class="data"><thead><tr><th>Name</th><th>Created</th><th>Last used</th><th>Status</th><th></th></tr></thead><tbody>${opts.tokens.map(
              (t) => html`<tr>
            <td>${t.name}<div class="muted small mono">${t.id}</div></td>
            <td>${timeCell(t.createdAt, now)}</td>
            <td>${timeCell(t.lastUsedAt, now)}</td>
            <td>${t.revokedAt ? html`<span class="badge off">Revoked</span>` : html`<span class="badge ok">Active</span>`}</td>
            <td class="actions">${
              t.revokedAt
                ? ""
                : html`<form method="post" action="/tokens/${t.id}/revoke" class="inline" data-confirm="Revoke the token ${t.name}?"><input \
type="hidden" name="csrf" value="${csrf ?? ""}"><button type="submit" class="danger small">Revoke</button></form>`
            }</td>
          </tr>`,
            )}</tbody></table>`
      }
    </section>`,
  );
}
