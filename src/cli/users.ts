import { ConfigError } from "../config/load";
import { ConfigEditError, editConfigFile, problemsForFlags, type RawConfig } from "../ops/config-edit";
import { generatePassword, hashPassword } from "../ops/secrets";
import { applyUserChange, type StoreUserChange } from "../ops/users";
import { systemClock } from "../shared/clock";
import { createLogger } from "../shared/log";
import { loadConfigOrReport, parseFlags, resolveConfigPath, UsageError, type Command, type CommandIo } from "./args";

const sameEmail = (a: unknown, b: string) => typeof a === "string" && a.trim().toLowerCase() === b.trim().toLowerCase();

function required(values: Record<string, unknown>, name: string): string {
  const v = values[name];
  if (typeof v !== "string" || v.trim() === "") throw new UsageError(`--${name} is required`);
  return v;
}

/** The new password: read from stdin with --password-stdin, else generated (and printed once by the caller). */
async function newPassword(
  fromStdin: boolean,
  io: CommandIo,
): Promise<{ password: string; generated: boolean } | null> {
  if (!fromStdin) return { password: generatePassword(), generated: true };
  const password = (await io.readStdin()).replace(/\r?\n$/, "");
  if (password.length < 8) return (io.err("password: must be at least 8 characters (read from stdin)"), null);
  return { password, generated: false };
}

/** Runs a config edit, reporting bad input by its flag or key; returns null (nothing written) on failure. */
function editOrReport(
  path: string,
  io: CommandIo,
  mutate: (raw: RawConfig) => string | undefined,
  flagFor: Record<string, string> = {},
): { entry: string | undefined } | null {
  let entry: string | undefined;
  try {
    editConfigFile(path, io.env, (raw) => {
      entry = mutate(raw);
    });
    return { entry };
  } catch (err) {
    if (err instanceof ConfigEditError) return (io.err(`${err.message} (${path} unchanged)`), null);
    if (err instanceof ConfigError) {
      io.err(`the edited config would be invalid; ${path} is unchanged:`);
      for (const line of entry
        ? problemsForFlags(err, entry, flagFor)
        : err.problems.map((p) => `${p.path}: ${p.message}`))
        io.err(`  ${line}`);
      return null;
    }
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return (io.err(`${path}: file not found`), null);
    throw err;
  }
}

function findUser(raw: RawConfig, email: string): Record<string, unknown> {
  const user = (raw.users ?? []).find((u) => sameEmail(u.email, email));
  if (!user) throw new ConfigEditError("not_found", "--email", `no [[users]] entry has email "${email}"`);
  return user;
}

/**
 * Edits the user's [[users]] entry in the config file, then makes the same change in the database at once (the store
 * applies it and writes the audit row). Says which step stopped it; each step reports its own problems on `io`.
 */
async function changeUser(
  path: string,
  io: CommandIo,
  email: string,
  change: { disabled?: true; passwordHash?: string },
  editEntry: (user: Record<string, unknown>) => void,
): Promise<StoreUserChange | "not_edited" | "config_invalid"> {
  const done = editOrReport(path, io, (raw) => {
    editEntry(findUser(raw, email));
    return undefined;
  });
  if (!done) return "not_edited";
  const config = loadConfigOrReport(path, io);
  if (!config) return "config_invalid";
  return applyUserChange(config, io.env, { clock: systemClock, log: createLogger("warn", {}, io.err) }, email, change);
}

const USER_FLAGS: Record<string, string> = { email: "--email", role: "--role", tenant: "--tenant", name: "--name" };

export const userAddCommand: Command = {
  summary: "add a [[users]] entry to the config (prints a generated password, or reads one with --password-stdin)",
  usage:
    "cavaridge user add --email E --role platform_admin|msp_admin|individual_owner|technician --tenant T [--name N] [--password-stdin] [--config PATH]",
  async run(argv, io) {
    const { values } = parseFlags(argv, {
      config: { type: "string" },
      email: { type: "string" },
      role: { type: "string" },
      tenant: { type: "string" },
      name: { type: "string" },
      "password-stdin": { type: "boolean" },
    });
    if (values.help) return (io.out(this.usage), 0);
    const v = values as Record<string, string | boolean | undefined>;
    const email = required(v, "email");
    const role = required(v, "role");
    const tenant = required(v, "tenant");
    const name = typeof v.name === "string" ? v.name : email.split("@")[0]!;
    const path = resolveConfigPath(v.config as string | undefined, io.env);
    const secret = await newPassword(v["password-stdin"] === true, io);
    if (!secret) return 1;
    const passwordHash = await hashPassword(secret.password);
    const done = editOrReport(
      path,
      io,
      (raw) => {
        if ((raw.users ?? []).some((u) => sameEmail(u.email, email)))
          throw new ConfigEditError("conflict", "--email", `a user with email "${email}" already exists`);
        raw.users = [...(raw.users ?? []), { email, name, tenant, role, password_hash: passwordHash }];
        return `users[${raw.users.length - 1}]`;
      },
      USER_FLAGS,
    );
    if (!done) return 1;
    io.out(`added ${email} (${role} in ${tenant}) to ${path}; apply with: systemctl reload cavaridge`);
    if (secret.generated) io.out(`password for ${email} (shown once, only its hash is stored): ${secret.password}`);
    return 0;
  },
};

export const userSetPasswordCommand: Command = {
  summary: "set a user's password in the config (generated and printed, or read with --password-stdin)",
  usage: "cavaridge user set-password --email E [--password-stdin] [--config PATH]",
  async run(argv, io) {
    const { values } = parseFlags(argv, {
      config: { type: "string" },
      email: { type: "string" },
      "password-stdin": { type: "boolean" },
    });
    if (values.help) return (io.out(this.usage), 0);
    const v = values as Record<string, string | boolean | undefined>;
    const email = required(v, "email");
    const path = resolveConfigPath(v.config as string | undefined, io.env);
    const secret = await newPassword(v["password-stdin"] === true, io);
    if (!secret) return 1;
    const passwordHash = await hashPassword(secret.password);
    const changed = await changeUser(path, io, email, { passwordHash }, (user) => {
      user.password_hash = passwordHash;
    });
    // Once the file holds the new hash the password is changed; a config that then fails to load was reported above.
    if (changed === "not_edited") return 1;
    io.out(`password of ${email} changed in ${path}`);
    if (secret.generated) io.out(`new password for ${email} (shown once, only its hash is stored): ${secret.password}`);
    return 0;
  },
};

export const userDisableCommand: Command = {
  summary: "disable a user in the config and revoke their grants in the database at once",
  usage: "cavaridge user disable --email E [--config PATH]",
  async run(argv, io) {
    const { values } = parseFlags(argv, { config: { type: "string" }, email: { type: "string" } });
    if (values.help) return (io.out(this.usage), 0);
    const v = values as Record<string, string | undefined>;
    const email = required(v, "email");
    const path = resolveConfigPath(v.config, io.env);
    const result = await changeUser(path, io, email, { disabled: true }, (user) => {
      user.disabled = true;
    });
    if (result === "not_edited" || result === "config_invalid") return 1;
    io.out(`disabled ${email} in ${path}`);
    io.out(
      result.applied
        ? `revoked ${result.revokedGrants} grant(s); every running appliance refuses this user's tokens from now on`
        : "no database yet: the user is disabled from the first start",
    );
    return 0;
  },
};

export const tenantAddCommand: Command = {
  summary: "add a [[tenants]] entry to the config",
  usage:
    "cavaridge tenant add --id I --name N [--kind msp|client|individual] [--parent MSP_ID] [--currency USD] [--tax-rate-bps N] [--config PATH]",
  async run(argv, io) {
    const { values } = parseFlags(argv, {
      config: { type: "string" },
      id: { type: "string" },
      name: { type: "string" },
      kind: { type: "string" },
      parent: { type: "string" },
      currency: { type: "string" },
      "tax-rate-bps": { type: "string" },
    });
    if (values.help) return (io.out(this.usage), 0);
    const v = values as Record<string, string | undefined>;
    const id = required(v, "id");
    const name = required(v, "name");
    const kind = v.kind ?? (v.parent ? "client" : "msp");
    let taxRateBps: number | undefined;
    if (v["tax-rate-bps"] !== undefined) {
      if (!/^\d+$/.test(v["tax-rate-bps"]))
        return (io.err("--tax-rate-bps: must be a whole number of basis points (2000 = 20%)"), 1);
      taxRateBps = Number(v["tax-rate-bps"]);
    }
    const path = resolveConfigPath(v.config, io.env);
    const done = editOrReport(
      path,
      io,
      (raw) => {
        if ((raw.tenants ?? []).some((t) => t.id === id))
          throw new ConfigEditError("conflict", "--id", `a tenant with id "${id}" already exists`);
        const entry: Record<string, unknown> = { id, name, kind };
        if (v.parent !== undefined) entry.parent = v.parent;
        entry.currency = v.currency ?? "USD";
        if (taxRateBps !== undefined) entry.tax_rate_bps = taxRateBps;
        raw.tenants = [...(raw.tenants ?? []), entry];
        return `tenants[${raw.tenants.length - 1}]`;
      },
      {
        id: "--id",
        name: "--name",
        kind: "--kind",
        parent: "--parent",
        currency: "--currency",
        tax_rate_bps: "--tax-rate-bps",
      },
    );
    if (!done) return 1;
    io.out(`added tenant ${id} (${kind}) to ${path}; apply with: systemctl reload cavaridge`);
    return 0;
  },
};

export const hashPasswordCommand: Command = {
  summary: "read a password on stdin and print its argon2id hash for the config",
  usage: "printf '%s' 'password' | cavaridge user hash-password",
  async run(argv, io) {
    const { values } = parseFlags(argv, {});
    if (values.help) return (io.out(this.usage), 0);
    const password = (await io.readStdin()).replace(/\r?\n$/, "");
    if (password.length < 8) return (io.err("password must be at least 8 characters (read from stdin)"), 1);
    io.out(await hashPassword(password));
    return 0;
  },
};
