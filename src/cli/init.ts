import { ConfigError } from "../config/load";
import { InitError, initConfig, type InitResult } from "../ops/init";
import { writeSecretFile } from "../ops/secrets";
import { parseFlags, resolveConfigPath, type Command, type CommandIo } from "./args";

export const INIT_FLAGS = {
  config: { type: "string" },
  "public-url": { type: "string" },
  "msp-name": { type: "string" },
  "admin-email": { type: "string" },
  "database-url": { type: "string" },
  "master-key-file": { type: "string" },
  "password-file": { type: "string" },
  prefix: { type: "string" },
} as const;

type InitFlags = Partial<Record<keyof typeof INIT_FLAGS, string>>;

/**
 * Runs init from flags, falling back to the CAVARIDGE_<SECTION>_<KEY> variables (so a container's environment
 * shapes the file it creates), then to defaults. Reports errors naming the flag or key; returns null on failure.
 */
export async function runInit(flags: InitFlags, configPath: string, io: CommandIo): Promise<InitResult | null> {
  const mspName = flags["msp-name"] ?? "My MSP";
  try {
    return await initConfig({
      configPath,
      publicUrl: flags["public-url"] ?? io.env.CAVARIDGE_SERVER_PUBLIC_URL ?? "http://127.0.0.1:8787",
      mspName,
      adminEmail: flags["admin-email"] ?? "admin@example.com",
      databaseUrl: flags["database-url"] ?? io.env.CAVARIDGE_DATABASE_URL ?? "file:./data/cavaridge.db",
      masterKeyFile: flags["master-key-file"] ?? io.env.CAVARIDGE_SECRETS_MASTER_KEY_FILE ?? "./data/master.key",
      prefix: flags.prefix,
      env: io.env,
    });
  } catch (err) {
    if (err instanceof InitError) return (io.err(`init: ${err.message}`), null);
    if (err instanceof ConfigError) {
      const flagFor: Record<string, string> = {
        "server.public_url": "--public-url",
        "tenants[0].name": "--msp-name",
        "users[0].email": "--admin-email",
        "database.url": "--database-url",
        "secrets.master_key_file": "--master-key-file",
      };
      io.err("init: the config would be invalid; nothing was written:");
      for (const p of err.problems) io.err(`  ${flagFor[p.path] ?? p.path}: ${p.message}`);
      return null;
    }
    throw err;
  }
}

export const initCommand: Command = {
  summary: "write a production config (one MSP, one platform admin, no demo) and the master key; never overwrites",
  usage:
    "cavaridge init [--config PATH] [--public-url URL] [--msp-name NAME] [--admin-email EMAIL] " +
    "[--database-url URL] [--master-key-file PATH] [--password-file PATH] [--prefix DIR]\n" +
    "  --prefix DIR: create the files under DIR while the config names the real paths (install.sh --prefix)",
  async run(argv, io) {
    const { values } = parseFlags(argv, INIT_FLAGS);
    if (values.help) return (io.out(this.usage), 0);
    const flags = values as InitFlags;
    const configPath = resolveConfigPath(flags.config, io.env);
    const result = await runInit(flags, configPath, io);
    if (!result) return 1;
    io.out(`wrote ${configPath}`);
    io.out(
      `${result.masterKeyCreated ? "created" : "kept existing"} master key ${result.masterKeyPath} (back it up apart from the database)`,
    );
    io.out(`tenant "${result.mspId}" and platform admin ${result.adminEmail}`);
    if (flags["password-file"]) {
      writeSecretFile(flags["password-file"], `${result.password}\n`);
      io.out(
        `the admin's password is in ${flags["password-file"]} (mode 0600): read it, sign in, then delete the file`,
      );
    } else {
      io.out(`password for ${result.adminEmail} (shown once, only its hash is stored): ${result.password}`);
    }
    io.out(`next: set server.public_url in ${configPath}, then: cavaridge config check --config ${configPath}`);
    return 0;
  },
};
