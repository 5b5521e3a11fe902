import { html, layout } from "./layout";

export function renderSignIn(opts: { csrf: string; email?: string; error?: string | null; next?: string }): string {
  return layout(
    { title: "Sign in", nav: null, principal: null, csrf: null },
    html`<section class="signin">
      <div class="signin-brand"><span class="logo" aria-hidden="true">◆</span> Cavaridge <span class="brand-sub">Admin</span></div>
      <h1>Sign in to the admin console</h1>
      <p class="muted">For platform admins, MSP admins and individual owners. Use the account you use to connect ChatGPT or Claude.</p>
      ${opts.error ? html`<div class="notice error" role="alert">${opts.error}</div>` : ""}
      <form method="post" action="/sign-in" class="stack">
        <input type="hidden" name="csrf" value="${opts.csrf}">
        ${opts.next ? html`<input type="hidden" name="next" value="${opts.next}">` : ""}
        <label>Email <input type="email" name="email" autocomplete="username" required value="${opts.email ?? ""}" autofocus></label>
        <label>Password <input type="password" name="password" autocomplete="current-password" required></label>
        <button type="submit" class="primary">Sign in</button>
      </form>
    </section>`,
  );
}
