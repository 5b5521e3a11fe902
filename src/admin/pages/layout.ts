import { escapeHtml } from "../../http/responses";
import type { AdminPrincipal } from "../principal";

/** Tagged template for HTML: interpolations are escaped unless they are `raw(...)` fragments. */
export class Raw {
  constructor(readonly html: string) {}
  toString(): string {
    return this.html;
  }
}
export function raw(html: string): Raw {
  return new Raw(html);
}
type Part = string | number | null | undefined | boolean | Raw | readonly Part[];
function render(v: Part): string {
  if (v === null || v === undefined || v === false || v === true) return "";
  if (v instanceof Raw) return v.html;
  if (Array.isArray(v)) return v.map(render).join("");
  return escapeHtml(String(v));
}
export function html(strings: TemplateStringsArray, ...values: Part[]): Raw {
  let out = strings[0]!;
  values.forEach((v, i) => {
    out += render(v) + strings[i + 1]!;
  });
  return new Raw(out);
}

export type NavKey = "connections" | "audit" | "servers" | "tenants" | "tokens" | "import";

const NAV: { key: NavKey; href: string; label: string }[] = [
  { key: "connections", href: "/connections", label: "Connections" },
  { key: "audit", href: "/audit", label: "Audit" },
  { key: "servers", href: "/servers", label: "Servers" },
  { key: "tenants", href: "/tenants", label: "Tenants & users" },
  { key: "tokens", href: "/tokens", label: "API tokens" },
  { key: "import", href: "/import", label: "Import" },
];

export const ROLE_LABEL: Record<string, string> = {
  platform_admin: "Platform admin",
  msp_admin: "MSP admin",
  individual_owner: "Individual owner",
  technician: "Technician",
};

export function formatTime(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return "—";
  return new Date(ms).toISOString().slice(0, 19).replace("T", " ");
}

/** "3 min ago"-style relative time, with the exact UTC time as a tooltip. */
export function timeCell(ms: number | null | undefined, now: number): Raw {
  if (ms === null || ms === undefined) return html`<span class="muted">never</span>`;
  const d = Math.max(0, now - ms);
  const rel =
    d < 60_000
      ? "just now"
      : d < 3_600_000
        ? `${Math.floor(d / 60_000)} min ago`
        : d < 86_400_000
          ? `${Math.floor(d / 3_600_000)} h ago`
          : `${Math.floor(d / 86_400_000)} d ago`;
  return html`<time datetime="${new Date(ms).toISOString()}" title="${formatTime(ms)} UTC">${rel}</time>`;
}

export interface PageFrame {
  title: string;
  nav: NavKey | null;
  principal: AdminPrincipal | null;
  csrf: string | null;
  /** One-shot notice shown at the top (after an action). */
  notice?: { kind: "ok" | "error"; text: string } | null;
}

export function layout(frame: PageFrame, body: Raw): string {
  const p = frame.principal;
  const header = p
    ? html`<header class="topbar">
        <a class="brand" href="/"><span class="logo" aria-hidden="true">◆</span> Cavaridge <span class="brand-sub">Admin</span></a>
        <nav aria-label="Sections">${NAV.map(
          (n) =>
            html`<a href="${n.href}"${raw(frame.nav === n.key ? ' aria-current="page" class="active"' : "")}>${n.label}</a>`,
        )}</nav>
        <div class="who">
          <span class="who-name" title="${p.email}">${p.name}</span>
          <span class="badge role">${ROLE_LABEL[p.role] ?? p.role}</span>
          <form method="post" action="/sign-out" class="inline"><input type="hidden" name="csrf" value="${frame.csrf ?? ""}"><button \
type="submit" class="link">Sign out</button></form>
        </div>
      </header>`
    : html``;
  const notice = frame.notice
    ? html`<div class="notice ${frame.notice.kind}" role="status">${frame.notice.text}</div>`
    : html``;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(frame.title)} · Cavaridge Admin</title>
<link rel="stylesheet" href="/assets/admin.css">
<script src="/assets/admin.js" defer></script>
</head>
<body${p ? "" : ' class="bare"'}>
${header}
<main>
${notice}
${body}
</main>
<footer class="foot muted">Cavaridge appliance · admin console · times in UTC</footer>
</body>
</html>`;
}
