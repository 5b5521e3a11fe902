import { isLoopbackHost } from "../config/load";
import type { Config } from "../config/schema";

/** The password of every demo user in config.example.toml. Published in the README, so never a secret. */
export const DEMO_PASSWORD = "cavaridge-demo";

/**
 * The argon2id hashes of DEMO_PASSWORD that have been published (config.example.toml, the README, the tests).
 * `serve` compares configured hashes to these strings: no argon2 work on the start path, and an operator who
 * re-hashes the demo password gets a different string, which is their deliberate choice.
 */
export const PUBLISHED_DEMO_HASHES: ReadonlySet<string> = new Set([
  "$argon2id$v=19$m=65536,t=2,p=1$iKIMoWES7o5Mci5AVHTL0D5GTns5wiJUdtdh4Z+uDQA$V41t2DDzw1rsoKmxbRZdgKl2SS5Tp74p0A5Kxsug/TI",
]);

/** Active users whose password_hash is a published demo hash. */
export function demoAccounts(config: Config): string[] {
  return config.users.filter((u) => !u.disabled && PUBLISHED_DEMO_HASHES.has(u.password_hash)).map((u) => u.email);
}

/** True when the public URL or the public listener is not loopback (Docker binds 0.0.0.0, a proxy may forward). */
export function isExposed(config: Config): boolean {
  const host = new URL(config.server.public_url).hostname;
  const listenHost = config.server.listen.replace(/:\d+$/, "");
  return !isLoopbackHost(host) || !isLoopbackHost(listenHost);
}

/**
 * Why `serve` must refuse this config, or null. The demo (published passwords, fake customers) is for a loopback
 * trial only; on anything reachable from elsewhere it is refused outright, and only an edit of the config gets past.
 */
export function demoRefusal(config: Config): string[] | null {
  if (!isExposed(config)) return null;
  const accounts = demoAccounts(config);
  if (accounts.length === 0 && !config.demo.seed) return null;
  const lines = [
    `refusing to start: the demo is configured on ${config.server.public_url} (listening on ${config.server.listen}), which is not loopback.`,
  ];
  if (accounts.length > 0) {
    lines.push(`  these accounts use the published demo password "${DEMO_PASSWORD}": ${accounts.join(", ")}`);
    lines.push(
      "  fix: give each a new password (cavaridge user set-password --email E), disable it (cavaridge user disable --email E) or remove its [[users]] entry",
    );
  }
  if (config.demo.seed) {
    lines.push("  [demo] seed = true would fill the database with fake customers");
    lines.push("  fix: set [demo] seed = false (or remove the [demo] section)");
  }
  lines.push("  to start a production config from scratch: cavaridge init --config PATH");
  return lines;
}
