import type { AdminPrincipal } from "../principal";
import { html, layout } from "./layout";

export function renderErrorPage(opts: {
  title: string;
  message: string;
  principal: AdminPrincipal | null;
  csrf: string | null;
  requestId?: string;
}): string {
  return layout(
    { title: opts.title, nav: null, principal: opts.principal, csrf: opts.csrf },
    html`<section class="card narrow">
      <h1>${opts.title}</h1>
      <p>${opts.message}</p>
      ${opts.requestId ? html`<p class="muted small">Request id <code>${opts.requestId}</code></p>` : ""}
      <p><a href="/">Back to the console</a></p>
    </section>`,
  );
}
