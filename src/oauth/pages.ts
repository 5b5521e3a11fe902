import { escapeHtml } from "../http/responses";

/**
 * Server-rendered pages of the authorization flow: sign-in, consent, refusal and local error. Anti-framing on
 * every page (CSP frame-ancestors 'none' and X-Frame-Options DENY; docs/mcp-client-compat.md D8), never cached.
 * No form-action directive: Chrome applies it to the redirect after the consent POST, which goes to the client.
 */
const SECURITY_HEADERS: Record<string, string> = {
  "content-type": "text/html; charset=utf-8",
  "cache-control": "no-store",
  "content-security-policy": "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'",
  "x-frame-options": "DENY",
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
};

const STYLE = `
body{font-family:system-ui,-apple-system,Segoe UI,sans-serif;background:#f4f5f7;color:#1d2330;margin:0}
main{max-width:28rem;margin:3rem auto;background:#fff;border-radius:10px;padding:2rem;box-shadow:0 1px 4px rgba(0,0,0,.12)}
h1{font-size:1.3rem;margin:0 0 1rem}label{display:block;margin:.8rem 0 .3rem;font-weight:600}
input[type=email],input[type=password]{width:100%;box-sizing:border-box;padding:.55rem;border:1px solid #b8bfcc;border-radius:6px;font-size:1rem}
button{padding:.6rem 1.2rem;border-radius:6px;border:1px solid #2456c8;background:#2d63e0;color:#fff;font-size:1rem;cursor:pointer;margin:1rem .5rem 0 0}
button.secondary{background:#fff;color:#2d63e0}.warn{background:#fff4e0;border:1px solid #e9b15a;padding:.6rem;border-radius:6px}
.error{background:#fde8e8;border:1px solid #e29a9a;padding:.6rem;border-radius:6px}ul{padding-left:1.2rem}small{color:#5b6475}
`;

export function htmlPage(
  title: string,
  body: string,
  status = 200,
  extraHeaders: Record<string, string> = {},
  setCookies: string[] = [],
): Response {
  const headers = new Headers({ ...SECURITY_HEADERS, ...extraHeaders });
  for (const c of setCookies) headers.append("set-cookie", c);
  const html =
    `<!doctype html><html lang="en"><head><meta charset="utf-8">` +
    `<meta name="viewport" content="width=device-width,initial-scale=1">` +
    `<title>${escapeHtml(title)} · Cavaridge</title><style>${STYLE}</style></head>` +
    `<body><main>${body}</main></body></html>`;
  return new Response(html, { status, headers });
}

export function hiddenFields(fields: Record<string, string>): string {
  return Object.entries(fields)
    .map(([k, v]) => `<input type="hidden" name="${escapeHtml(k)}" value="${escapeHtml(v)}">`)
    .join("");
}

/** A local error page: used for every error found before the client and redirect URI are validated (RFC 6749 §4.1.2.1). */
export function errorPage(code: string, description: string, status = 400): Response {
  return htmlPage(
    "Cannot continue",
    `<h1>This sign-in request cannot continue</h1><p class="error"><strong>${escapeHtml(code)}</strong>: ` +
      `${escapeHtml(description)}</p><p><small>Return to the application and try connecting again.</small></p>`,
    status,
  );
}

export function signInPage(opts: {
  /** Path of public_url ("" normally), so the forms post back through a reverse proxy that mounts us under a prefix. */
  basePath: string;
  clientName: string;
  surfaceTitle: string;
  fields: Record<string, string>;
  csrf: string;
  email?: string;
  error?: string;
  status?: number;
  setCookies?: string[];
}): Response {
  const err = opts.error ? `<p class="error" role="alert">${escapeHtml(opts.error)}</p>` : "";
  return htmlPage(
    "Sign in",
    `<h1>Sign in to Cavaridge</h1><p><strong>${escapeHtml(opts.clientName)}</strong> wants to connect to ${escapeHtml(opts.surfaceTitle)}.</p>${err}
<form method="post" action="${escapeHtml(opts.basePath)}/oauth/authorize/sign-in">${hiddenFields(opts.fields)}\
<input type="hidden" name="csrf_token" value="${escapeHtml(opts.csrf)}">
<label for="email">Email</label><input id="email" type="email" name="email" autocomplete="username" required value="${escapeHtml(opts.email ?? "")}">
<label for="password">Password</label><input id="password" type="password" name="password" autocomplete="current-password" required>
<button type="submit">Sign in</button></form>`,
    opts.status ?? 200,
    {},
    opts.setCookies ?? [],
  );
}

export function consentPage(opts: {
  basePath: string;
  clientName: string;
  selfAsserted: boolean;
  clientId: string;
  redirectHost: string;
  loopbackOnly: boolean;
  surfaceTitle: string;
  resource: string;
  scopeDescriptions: string[];
  /** A refresh token will be issued: say in plain words that the connection lasts until revoked. */
  staysSignedIn: boolean;
  /** Days a refresh token lives unused (oauth.refresh_token_ttl_seconds). */
  idleDays: number;
  userEmail: string;
  fields: Record<string, string>;
  csrf: string;
  binding: string;
  setCookies?: string[];
}): Response {
  const asserted = opts.selfAsserted
    ? ` <small>(name supplied by the application itself, not verified)</small>`
    : ` <small>(identified by ${escapeHtml(opts.clientId)})</small>`;
  const loopback = opts.loopbackOnly
    ? `<p class="warn">This application returns to <strong>${escapeHtml(opts.redirectHost)}</strong> on ` +
      `your own computer. Only allow it if you started this connection from a program on this device: any ` +
      `local program can claim this name.</p>`
    : "";
  return htmlPage(
    "Allow access?",
    `<h1>Allow ${escapeHtml(opts.clientName)} to use ${escapeHtml(opts.surfaceTitle)}?</h1>
<p><strong>${escapeHtml(opts.clientName)}</strong>${asserted} is asking to act as <strong>${escapeHtml(opts.userEmail)}</strong>.</p>
<p>After you decide, you will be sent to <strong>${escapeHtml(opts.redirectHost)}</strong>.</p>${loopback}
<p>It will be able to:</p><ul>${opts.scopeDescriptions.map((d) => `<li>${escapeHtml(d)}</li>`).join("")}</ul>
${
  opts.staysSignedIn
    ? `<p class="stays">This connection stays signed in until you revoke it: ` +
      `${escapeHtml(opts.clientName)} can keep renewing its access without asking you again (it ends by ` +
      `itself only if unused for ${opts.idleDays} days).</p>`
    : ""
}<p><small>Surface: ${escapeHtml(opts.resource)}. You can revoke this connection at any time from the admin page.</small></p>
<form method="post" action="${escapeHtml(opts.basePath)}/oauth/authorize/consent">${hiddenFields(opts.fields)}\
<input type="hidden" name="csrf_token" value="${escapeHtml(opts.csrf)}">\
<input type="hidden" name="binding" value="${escapeHtml(opts.binding)}">
<button type="submit" name="decision" value="allow">Allow</button><button type="submit" name="decision" value="deny" class="secondary">Deny</button></form>`,
    200,
    {},
    opts.setCookies ?? [],
  );
}

/** The consent page of a user whose role may not approve this client for their tenant: says why, grants nothing. */
export function notApprovedPage(opts: {
  clientName: string;
  clientId: string;
  tenantId: string;
  userEmail: string;
}): Response {
  return htmlPage(
    "Approval needed",
    `<h1>An administrator must approve ${escapeHtml(opts.clientName)} first</h1>
<p class="warn">You are signed in as <strong>${escapeHtml(opts.userEmail)}</strong>, a technician. \
Connecting a new application to tenant <strong>${escapeHtml(opts.tenantId)}</strong> the first time needs an MSP admin, \
platform admin or owner. Ask one of them to connect it once (or approve it on the admin page), then try again.</p>
<p>Tell them the application's client ID: <code>${escapeHtml(opts.clientId)}</code>. Keep this tab open: once it is approved, reload this page to continue.</p>
<p>Nothing was granted.</p>`,
    403,
  );
}
