import { ConfigError, loadConfig } from "../config/load";
import type { Config } from "../config/schema";
import type { AppContext } from "../context";
import { revokeGrantsOfDisabledPrincipals } from "../oauth/grants";
import { syncConfigToStore } from "../tenancy/sync";

/**
 * Keys a running appliance cannot change: the listeners are bound, the issuer is in every token and metadata
 * document, the TLS files and the database are open, the surfaces' routes are mounted and the logger is built.
 */
export const RESTART_KEYS = [
  "server.public_url",
  "server.listen",
  "server.tls_cert_file",
  "server.tls_key_file",
  "server.surface_urls",
  "admin.listen",
  "admin.enabled",
  "admin.allow_remote",
  "database.url",
  "database.auth_token_env",
  "secrets.master_key_file",
  "surfaces",
  "log.level",
] as const;

export type ReloadResult =
  | { status: "applied"; restartNeeded: string[]; tenants: number; users: number; revokedGrants: number }
  | { status: "invalid"; problems: { path: string; message: string }[] };

function get(config: Config, path: string): unknown {
  return path.split(".").reduce<unknown>((o, k) => (o as Record<string, unknown> | undefined)?.[k], config);
}

function set(config: Config, path: string, value: unknown): void {
  const keys = path.split(".");
  const last = keys.pop()!;
  const parent = keys.reduce<Record<string, unknown>>((o, k) => o[k] as Record<string, unknown>, config);
  if (value === undefined) delete parent[last];
  else parent[last] = value;
}

/**
 * Re-reads the config and applies it to the running appliance: tenants and users are synced into the store (a
 * disabled or removed user's grants are revoked in the same pass, and every process refuses their tokens on the next
 * request because the bearer check reads the user row live), every other section replaces the running one. Keys in
 * RESTART_KEYS keep their running value and are reported. An invalid file changes nothing.
 */
export async function reloadConfig(
  ctx: AppContext,
  path: string,
  env: Record<string, string | undefined>,
): Promise<ReloadResult> {
  let next: Config;
  try {
    next = loadConfig(path, env);
  } catch (err) {
    if (err instanceof ConfigError) {
      ctx.log.error("config reload refused: the file is invalid; still running on the previous config", {
        config: path,
        problems: err.problems,
      });
      return { status: "invalid", problems: err.problems };
    }
    throw err;
  }
  const running = ctx.config;
  const restartNeeded: string[] = [];
  for (const key of RESTART_KEYS) {
    if (JSON.stringify(get(next, key)) !== JSON.stringify(get(running, key))) {
      restartNeeded.push(key);
      set(next, key, structuredClone(get(running, key)));
    }
  }
  const synced = await syncConfigToStore(ctx.store, next, ctx.clock);
  // Sections are replaced in place: features read ctx.config at request time.
  Object.assign(running, next);
  const revokedGrants = await revokeGrantsOfDisabledPrincipals(ctx);
  if (restartNeeded.length > 0)
    ctx.log.warn("restart needed: these keys changed but only take effect at the next start", { keys: restartNeeded });
  ctx.log.info("config reloaded", {
    config: path,
    tenants: synced.tenants,
    users: synced.users,
    revoked_grants: revokedGrants,
  });
  return { status: "applied", restartNeeded, tenants: synced.tenants, users: synced.users, revokedGrants };
}
