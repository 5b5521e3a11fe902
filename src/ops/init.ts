import { chmodSync, existsSync, linkSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { parseConfigText } from "../config/load";
import type { Config } from "../config/schema";
import { generatePassword, hashPassword, newMasterSecret, writeSecretFile } from "./secrets";

export interface InitOptions {
  /** Where the config is written. Refused when a file is already there. */
  configPath: string;
  publicUrl: string;
  mspName: string;
  adminEmail: string;
  databaseUrl: string;
  masterKeyFile: string;
  /**
   * Packaging root (install.sh --prefix): the files are created under it, while the paths written into the config
   * stay the real ones the service will see. Empty for a normal run.
   */
  prefix?: string;
  env?: Record<string, string | undefined>;
}

export interface InitResult {
  config: Config;
  adminEmail: string;
  /** Shown once; only its argon2id hash is stored. */
  password: string;
  masterKeyPath: string;
  masterKeyCreated: boolean;
  mspId: string;
}

export class InitError extends Error {
  constructor(
    readonly code: "config_exists" | "invalid_input",
    message: string,
  ) {
    super(message);
  }
}

/** A tenant id from a display name: the slug TenantEntry.id accepts (lowercase, digits, dashes; 2-63 chars). */
export function slugForTenant(name: string): string {
  const slug = name
    .normalize("NFKD")
    .replace(/\p{M}+/gu, "") // decomposed accents: "Ötter" -> "Otter"
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 63)
    .replace(/-+$/, "");
  return slug.length >= 2 ? slug : "msp";
}

const q = (s: string) => JSON.stringify(s);

/** The production config: no demo tenants, users or data; one MSP and one platform admin. */
export function renderInitialConfig(o: {
  publicUrl: string;
  mspId: string;
  mspName: string;
  adminEmail: string;
  passwordHash: string;
  databaseUrl: string;
  masterKeyFile: string;
}): string {
  return `# Cavaridge appliance configuration, written by \`cavaridge init\`.
# Every scalar key can be overridden with CAVARIDGE_<SECTION>_<KEY> (e.g. CAVARIDGE_SERVER_PUBLIC_URL).
# Check it with: cavaridge config check --config <this file>. Apply edits with: systemctl reload cavaridge.
# Add people with \`cavaridge user add\` and customers with \`cavaridge tenant add\` (they edit this file in place).
# Every key and its default is described in config.example.toml in the distribution.

[server]
# The public base URL: the OAuth issuer and the base of every MCP server URL. ChatGPT and Claude need https on 443,
# usually through a TLS reverse proxy in front of the listener below.
public_url = ${q(o.publicUrl)}
listen = "127.0.0.1:8787"
# How many reverse proxies in front of the appliance to trust for X-Forwarded-For (0 = use the socket address).
trusted_proxies = 0

[admin]
# The admin page: loopback only (use an SSH tunnel) unless allow_remote is set deliberately.
listen = "127.0.0.1:8788"
allow_remote = false

[database]
url = ${q(o.databaseUrl)}

[secrets]
# Encrypts the OAuth signing keys. Back it up apart from the database: a backup is useless without it.
master_key_file = ${q(o.masterKeyFile)}

[log]
level = "info"

[[tenants]]
id = ${q(o.mspId)}
name = ${q(o.mspName)}
kind = "msp"
currency = "USD"

[[users]]
email = ${q(o.adminEmail)}
name = "Platform Admin"
tenant = ${q(o.mspId)}
role = "platform_admin"
password_hash = ${q(o.passwordHash)}
`;
}

/**
 * Writes a production config (refusing to replace one), with a random platform-admin password whose argon2id hash
 * is the only copy stored, and creates the master key file (0600) unless it already exists. The config is validated
 * with the loader before it is put in place, so `init` never leaves a file that `serve` would reject.
 */
export async function initConfig(o: InitOptions): Promise<InitResult> {
  const prefix = o.prefix ?? "";
  if (existsSync(o.configPath))
    throw new InitError("config_exists", `${o.configPath} already exists; init never overwrites a config`);
  const mspId = slugForTenant(o.mspName);
  const password = generatePassword();
  const text = renderInitialConfig({
    publicUrl: o.publicUrl,
    mspId,
    mspName: o.mspName,
    adminEmail: o.adminEmail,
    passwordHash: await hashPassword(password),
    databaseUrl: o.databaseUrl,
    masterKeyFile: o.masterKeyFile,
  });
  // Validates every flag through the schema; a ConfigError names the key (server.public_url, users[0].email...).
  const config = parseConfigText(text, o.configPath, o.env ?? {});
  const masterKeyPath = `${prefix}${config.secrets.master_key_file}`;
  let masterKeyCreated = false;
  try {
    writeSecretFile(masterKeyPath, newMasterSecret());
    masterKeyCreated = true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
  }
  mkdirSync(dirname(o.configPath), { recursive: true });
  const tmp = join(dirname(o.configPath), `.config.toml.${process.pid}.tmp`);
  // 0640: the config holds password hashes (install.sh gives the service's group read access).
  writeFileSync(tmp, text, { mode: 0o640 });
  chmodSync(tmp, 0o640); // whatever the umask
  try {
    // link(2) never replaces an existing file, so a config written meanwhile by someone else is kept.
    linkSync(tmp, o.configPath);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "EEXIST")
      throw new InitError("config_exists", `${o.configPath} appeared while init ran; it was left alone`);
    throw err;
  } finally {
    rmSync(tmp, { force: true });
  }
  return { config, adminEmail: o.adminEmail, password, masterKeyPath, masterKeyCreated, mspId };
}
