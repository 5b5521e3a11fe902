import { type } from "arktype";
import { readFileSync } from "node:fs";
import { parse as parseToml, TomlError } from "smol-toml";
import { ConfigSchema, OVERRIDABLE_SECTIONS, sectionKeys, type Config } from "./schema";

/** One problem in the configuration, named by its TOML key path (e.g. `users[2].role`). */
export interface ConfigProblem {
  path: string;
  message: string;
}

export class ConfigError extends Error {
  readonly code = "invalid_config";
  constructor(
    readonly source: string,
    readonly problems: ConfigProblem[],
  ) {
    super(`${source}: ${problems.length} problem(s)\n${problems.map((p) => `  ${p.path}: ${p.message}`).join("\n")}`);
  }
}

/** `CAVARIDGE_DEMO_SEED`: the override of `[demo] seed`, which also accepts the older `off` / `on`. */
export const DEMO_SEED_ENV = "CAVARIDGE_DEMO_SEED";

const SECTION_NAMES = Object.keys(OVERRIDABLE_SECTIONS) as (keyof typeof OVERRIDABLE_SECTIONS)[];
const SECTION_KEYS = new Map(SECTION_NAMES.map((s) => [s, new Set(sectionKeys(s))]));

/**
 * Applies `CAVARIDGE_<SECTION>_<KEY>` environment overrides to the scalar keys of the top-level sections.
 * Values are typed by the shape of the text: `true`/`false` are booleans, integers are numbers, anything
 * else a string. Only keys the section declares are applied: other CAVARIDGE_* variables (the master key, an admin
 * API token an operator exported for curl, a libSQL auth token) are not configuration and are left alone.
 * Returns the keys it set, so errors can name the variable they came from.
 */
export function applyEnvOverrides(
  raw: Record<string, unknown>,
  env: Record<string, string | undefined>,
): Map<string, string> {
  const origins = new Map<string, string>();
  for (const [name, value] of Object.entries(env)) {
    if (!name.startsWith("CAVARIDGE_") || value === undefined) continue;
    const rest = name.slice("CAVARIDGE_".length).toLowerCase();
    const section = SECTION_NAMES.find((s) => rest.startsWith(`${s}_`));
    if (!section) continue;
    const key = rest.slice(section.length + 1);
    if (!SECTION_KEYS.get(section)?.has(key)) continue;
    const target = (raw[section] ??= {}) as Record<string, unknown>;
    if (typeof target !== "object" || Array.isArray(target)) continue;
    // CAVARIDGE_DEMO_SEED=off predates [demo] seed; it keeps working as the boolean it always meant.
    const legacy =
      name === DEMO_SEED_ENV ? ({ off: false, on: true } as Record<string, boolean>)[value.toLowerCase()] : undefined;
    target[key] =
      legacy ?? (value === "true" ? true : value === "false" ? false : /^-?\d+$/.test(value) ? Number(value) : value);
    origins.set(`${section}.${key}`, name);
  }
  return origins;
}

/** Validates a parsed config object: schema first, then the rules that span entries. */
export function validateConfig(raw: unknown, origins = new Map<string, string>()): Config | ConfigProblem[] {
  const result = ConfigSchema(raw);
  if (result instanceof type.errors) {
    const schemaProblems = result.map((e) => {
      const path = formatPath(e.path);
      const from = origins.get(e.path.join("."));
      return { path, message: e.problem + (from ? ` (from environment variable ${from})` : "") };
    });
    // Report the cross-entry problems too (best effort on the raw shape), so one run lists everything.
    const seen = new Set(schemaProblems.map((p) => p.path));
    return [...schemaProblems, ...crossCheckRaw(raw).filter((p) => !seen.has(p.path))];
  }
  const problems = crossCheck(result);
  return problems.length > 0 ? problems : normalize(result);
}

function formatPath(path: readonly PropertyKey[]): string {
  return (
    path.reduce<string>(
      (acc, k) => (typeof k === "number" ? `${acc}[${k}]` : acc ? `${acc}.${String(k)}` : String(k)),
      "",
    ) || "(root)"
  );
}

function crossCheckRaw(raw: unknown): ConfigProblem[] {
  if (!raw || typeof raw !== "object") return [];
  const r = raw as Partial<Record<keyof Config, unknown>>;
  const loose = {
    server: { public_url: "http://placeholder.invalid", ...(typeof r.server === "object" ? r.server : {}) },
    admin: { listen: "127.0.0.1:0", allow_remote: false, ...(typeof r.admin === "object" ? r.admin : {}) },
    tenants: Array.isArray(r.tenants) ? r.tenants.filter((t) => t && typeof t === "object") : [],
    users: Array.isArray(r.users)
      ? r.users.filter((u) => u && typeof u === "object" && typeof u.email === "string")
      : [],
  } as unknown as Config;
  try {
    return crossCheck(loose);
  } catch {
    return [];
  }
}

function crossCheck(c: Config): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  let url: URL;
  try {
    url = new URL(c.server.public_url);
  } catch {
    url = new URL("http://placeholder.invalid");
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    problems.push({ path: "server.public_url", message: "must be an http or https URL" });
  }
  if (url.search || url.hash || url.username || url.password) {
    problems.push({ path: "server.public_url", message: "must not carry a query, fragment or credentials" });
  }
  if ((c.server.tls_cert_file === undefined) !== (c.server.tls_key_file === undefined)) {
    problems.push({ path: "server.tls_key_file", message: "tls_cert_file and tls_key_file must be set together" });
  }
  problems.push(...checkSurfaceUrls(c, url));
  const byId = new Map<string, (typeof c.tenants)[number]>();
  c.tenants.forEach((t, i) => {
    if (byId.has(t.id)) problems.push({ path: `tenants[${i}].id`, message: `duplicate tenant id "${t.id}"` });
    byId.set(t.id, t);
  });
  c.tenants.forEach((t, i) => {
    if (t.kind === "client") {
      if (!t.parent)
        problems.push({ path: `tenants[${i}].parent`, message: "a client tenant must name its parent msp tenant" });
      else if (byId.get(t.parent)?.kind !== "msp")
        problems.push({ path: `tenants[${i}].parent`, message: `parent "${t.parent}" is not an msp tenant` });
    } else if (t.parent !== undefined) {
      problems.push({
        path: `tenants[${i}].parent`,
        message: `only client tenants have a parent (this one is ${t.kind})`,
      });
    }
  });
  const emails = new Set<string>();
  c.users.forEach((u, i) => {
    const email = u.email.trim().toLowerCase();
    if (emails.has(email)) problems.push({ path: `users[${i}].email`, message: `duplicate user email "${u.email}"` });
    emails.add(email);
    const tenant = byId.get(u.tenant);
    if (!tenant) {
      problems.push({ path: `users[${i}].tenant`, message: `unknown tenant "${u.tenant}"` });
      return;
    }
    if (u.role === "platform_admin" && tenant.kind !== "msp")
      problems.push({ path: `users[${i}].role`, message: "platform_admin belongs to an msp tenant" });
    if (u.role === "msp_admin" && tenant.kind !== "msp")
      problems.push({ path: `users[${i}].role`, message: "msp_admin belongs to an msp tenant" });
    if (u.role === "individual_owner" && tenant.kind === "msp")
      problems.push({ path: `users[${i}].role`, message: "individual_owner belongs to a client or individual tenant" });
  });
  for (const key of ["listen"] as const) {
    if (typeof c.admin[key] !== "string") continue;
    const host = c.admin[key].replace(/:\d+$/, "").replace(/^\[|\]$/g, "");
    if (!c.admin.allow_remote && !isLoopbackHost(host)) {
      problems.push({
        path: "admin.listen",
        message: `"${c.admin.listen}" is not a loopback address; set admin.allow_remote = true to expose the admin page deliberately`,
      });
    }
  }
  return problems;
}

/**
 * `server.surface_urls` (one hostname per surface, docs/mcp-client-compat.md §5.2): each value is a bare origin (the MCP
 * endpoint is `<url>/mcp`), https unless the host is loopback (tests, `*.localhost` per RFC 6761), and every
 * hostname is distinct from public_url's and from the others', because the MCP layer routes by the Host name alone
 * (ports are ignored there, as a reverse proxy may drop them). A surface host listed in allowed_hosts would also
 * be accepted by every surface's path endpoint, so that is refused too.
 */
function checkSurfaceUrls(c: Config, publicUrl: URL): ConfigProblem[] {
  const table: unknown = (c.server as { surface_urls?: unknown }).surface_urls;
  if (!table || typeof table !== "object") return [];
  const problems: ConfigProblem[] = [];
  const seen = new Map<string, string>();
  const allowed = new Set(
    (Array.isArray(c.server.allowed_hosts) ? c.server.allowed_hosts : []).map((h) =>
      String(h).trim().toLowerCase().replace(/:\d+$/, ""),
    ),
  );
  for (const [surface, value] of Object.entries(table as Record<string, unknown>)) {
    const path = `server.surface_urls.${surface}`;
    if (typeof value !== "string") continue;
    let u: URL;
    try {
      u = new URL(value);
    } catch {
      problems.push({ path, message: "must be an absolute URL such as https://cavalier.example.com" });
      continue;
    }
    const host = u.hostname.toLowerCase();
    if (u.protocol !== "https:" && !(u.protocol === "http:" && (isLoopbackHost(host) || host.endsWith(".localhost")))) {
      problems.push({ path, message: "must be an https URL (http only for a loopback host)" });
    }
    if (u.username || u.password || u.search || u.hash || value.includes("?") || value.includes("#")) {
      problems.push({ path, message: "must not carry a query, fragment or credentials" });
    }
    if (u.pathname !== "/" && u.pathname !== "") {
      problems.push({ path, message: `must have no path (the MCP endpoint is ${u.protocol}//${u.host}/mcp)` });
    }
    if (host === publicUrl.hostname.toLowerCase()) {
      problems.push({
        path,
        message: `host "${host}" is server.public_url's host; a surface needs a hostname of its own`,
      });
    } else if (isLoopbackHost(publicUrl.hostname) && isLoopbackHost(host)) {
      // With a loopback public_url every path endpoint also answers to localhost/127.0.0.1/[::1] (src/mcp/trust.ts),
      // so a surface on one of those names would be reachable through the other surfaces' endpoints too.
      problems.push({
        path,
        message: `host "${host}" is a loopback name that server.public_url's endpoints already answer to; use e.g. ${surface}.localhost`,
      });
    }
    const other = seen.get(host);
    if (other) problems.push({ path, message: `host "${host}" is already used by server.surface_urls.${other}` });
    else seen.set(host, surface);
    if (allowed.has(host))
      problems.push({
        path,
        message: `host "${host}" is also in server.allowed_hosts, which every surface accepts; remove it there`,
      });
  }
  return problems;
}

export function isLoopbackHost(host: string): boolean {
  const h = host.toLowerCase().replace(/^\[|\]$/g, "");
  return h === "localhost" || h === "::1" || /^127\.\d+\.\d+\.\d+$/.test(h);
}

/** Canonical forms used everywhere: public_url without a trailing slash (it is the OAuth issuer, RFC 8414 §2). */
function normalize(c: Config): Config {
  const url = new URL(c.server.public_url);
  const publicUrl = `${url.protocol}//${url.host}${url.pathname.replace(/\/+$/, "")}`;
  const server = { ...c.server, public_url: publicUrl };
  if (c.server.surface_urls) {
    // Bare origins (lower-case host, default port dropped, no trailing slash): resources are built by appending /mcp.
    const urls: Record<string, string> = {};
    for (const [surface, value] of Object.entries(c.server.surface_urls))
      if (value) urls[surface] = new URL(value).origin;
    server.surface_urls = urls;
  }
  return { ...c, server };
}

/** Reads, parses, overrides and validates. Throws ConfigError listing every problem. */
export function loadConfig(path: string, env: Record<string, string | undefined> = process.env): Config {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code === "ENOENT" ? "file not found" : (err as Error).message;
    throw new ConfigError(path, [{ path: "(file)", message: reason }]);
  }
  return parseConfigText(text, path, env);
}

export function parseConfigText(text: string, source: string, env: Record<string, string | undefined> = {}): Config {
  let raw: Record<string, unknown>;
  try {
    raw = parseToml(text) as Record<string, unknown>;
  } catch (err) {
    const where = err instanceof TomlError ? `line ${err.line}, column ${err.column}` : "(toml)";
    const message = err instanceof TomlError ? err.message.split("\n")[0]! : String(err);
    throw new ConfigError(source, [{ path: where, message: `invalid TOML: ${message}` }]);
  }
  const origins = applyEnvOverrides(raw, env);
  const result = validateConfig(raw, origins);
  if (Array.isArray(result)) throw new ConfigError(source, result);
  return result;
}
