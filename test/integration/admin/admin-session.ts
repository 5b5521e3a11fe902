import { TEST_PASSWORD, type TestAppliance } from "../../helpers/appliance";
import { CookieJar, fetchWithJar, formBody, hiddenInputs } from "../../helpers/oauth";

/** A browser-like admin session over real HTTP: cookie jar, the page's CSRF token, and request helpers. */
export interface AdminSession {
  jar: CookieJar;
  csrf: string;
  get(path: string, init?: RequestInit): Promise<Response>;
  post(path: string, fields?: Record<string, string>): Promise<Response>;
  /** Creates an admin API token from the tokens page and returns it. */
  createApiToken(name?: string): Promise<string>;
}

export async function signInAdmin(app: TestAppliance, email: string, password = TEST_PASSWORD): Promise<AdminSession> {
  const jar = new CookieJar();
  const form = await fetchWithJar(jar, `${app.adminUrl}/sign-in`);
  const res = await fetchWithJar(
    jar,
    `${app.adminUrl}/sign-in`,
    formBody({ ...hiddenInputs(await form.text()), email, password }),
  );
  if (res.status !== 303) throw new Error(`admin sign-in failed for ${email}: ${res.status}`);
  const page = await fetchWithJar(jar, `${app.adminUrl}/connections`);
  const csrf = /name="csrf" value="([^"]+)"/.exec(await page.text())?.[1];
  if (!csrf) throw new Error("no csrf token on the connections page");
  const session: AdminSession = {
    jar,
    csrf,
    get: (path, init = {}) => fetchWithJar(jar, `${app.adminUrl}${path}`, init),
    post: (path, fields = {}) => fetchWithJar(jar, `${app.adminUrl}${path}`, formBody({ csrf, ...fields })),
    async createApiToken(name = "script") {
      const r = await session.post("/tokens", { name });
      const token = /id="new-token">([^<]+)</.exec(await r.text())?.[1];
      if (r.status !== 201 || !token) throw new Error(`token creation failed: ${r.status}`);
      return token;
    },
  };
  return session;
}

/** JSON-RPC over the real MCP endpoint of a surface. */
export async function mcpCall(
  app: TestAppliance,
  surface: string,
  token: string,
  method: string,
  params: unknown = {},
) {
  const res = await fetch(`${app.baseUrl}/${surface}`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      accept: "application/json, text/event-stream",
      authorization: `Bearer ${token}`,
    },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }),
  });
  return { status: res.status, body: await res.text(), headers: res.headers };
}

export async function auditRows(app: TestAppliance, where: string, args: (string | number)[] = []) {
  await app.ctx.audit.flush();
  const r = await app.ctx.store.client.execute({ sql: `SELECT * FROM audit_log WHERE ${where} ORDER BY seq`, args });
  return r.rows;
}

export function bearer(token: string): RequestInit {
  return { headers: { authorization: `Bearer ${token}` } };
}
