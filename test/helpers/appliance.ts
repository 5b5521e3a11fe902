import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startAppliance, type Appliance } from "../../src/appliance";
import { parseConfigText } from "../../src/config/load";
import type { Config } from "../../src/config/schema";
import type { PasswordVerifier } from "../../src/oauth/throttle";
import type { Clock } from "../../src/shared/clock";
import { silentLogger, type Logger } from "../../src/shared/log";

/** The demo password shared by every user in test configs (and config.example.toml). */
export const TEST_PASSWORD = "cavaridge-demo";
/** argon2id of TEST_PASSWORD, precomputed so tests do not pay for hashing. */
export const TEST_PASSWORD_HASH =
  "$argon2id$v=19$m=65536,t=2,p=1$iKIMoWES7o5Mci5AVHTL0D5GTns5wiJUdtdh4Z+uDQA$V41t2DDzw1rsoKmxbRZdgKl2SS5Tp74p0A5Kxsug/TI";

/** Ports already handed out in this test process. */
const handedOut = new Set<number>();

/**
 * A free TCP port on 127.0.0.1 (bound and released), never one handed out before in this process. The kernel may
 * give the same port again right after it is released (about once in 2,000 pairs here), and a port an earlier
 * appliance listened on is not safe to reuse: a keep-alive connection the test client pooled to that appliance can
 * outlive its listener, so a request to the new appliance on the same port could be answered by the old one.
 */
export async function freePort(): Promise<number> {
  for (;;) {
    const port = await new Promise<number>((resolve, reject) => {
      const srv = createServer();
      srv.once("error", reject);
      srv.listen(0, "127.0.0.1", () => {
        const bound = (srv.address() as { port: number }).port;
        srv.close(() => resolve(bound));
      });
    });
    if (!handedOut.has(port)) {
      handedOut.add(port);
      return port;
    }
  }
}

export function tempDir(prefix = "cavaridge-test-"): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/**
 * Two MSPs, so cross-MSP isolation can be tested: harbor-it (with clients contosocare, fabrikam-law,
 * tailspin-logistics) and otter-msp (with client otter-client).
 */
export function testConfigToml(opts: {
  publicPort: number;
  adminPort: number;
  dbPath: string;
  extra?: string;
  /** `[demo] seed` (default true: many tests read the demo data). */
  demoSeed?: boolean;
}): string {
  const u = (email: string, tenant: string, role: string, name = email.split("@")[0]) =>
    `[[users]]\nemail = "${email}"\nname = "${name}"\ntenant = "${tenant}"\nrole = "${role}"\npassword_hash = "${TEST_PASSWORD_HASH}"\n`;
  return `
[server]
public_url = "http://127.0.0.1:${opts.publicPort}"
listen = "127.0.0.1:${opts.publicPort}"

[admin]
listen = "127.0.0.1:${opts.adminPort}"

[database]
url = "file:${opts.dbPath}"

[secrets]
master_key_file = "${opts.dbPath}.master.key"

${opts.extra ?? ""}

[[tenants]]
id = "harbor-it"
name = "Harbor IT Services"
kind = "msp"

[[tenants]]
id = "contosocare"
name = "ContosoCare Clinic"
kind = "client"
parent = "harbor-it"

[[tenants]]
id = "fabrikam-law"
name = "Fabrikam Law LLP"
kind = "client"
parent = "harbor-it"
tax_rate_bps = 725

[[tenants]]
id = "tailspin-logistics"
name = "Tailspin Logistics Ltd"
kind = "client"
parent = "harbor-it"
currency = "GBP"
tax_rate_bps = 2000
region = "GB"

[[tenants]]
id = "otter-msp"
name = "Otter MSP"
kind = "msp"

[[tenants]]
id = "otter-client"
name = "Otter Client Co"
kind = "client"
parent = "otter-msp"

${u("platform@harbor-it.example", "harbor-it", "platform_admin")}
${u("admin@harbor-it.example", "harbor-it", "msp_admin")}
${u("tech@harbor-it.example", "harbor-it", "technician")}
${u("owner@fabrikam-law.example", "fabrikam-law", "individual_owner")}
${u("staff@contosocare.example", "contosocare", "technician")}
${u("admin@otter-msp.example", "otter-msp", "msp_admin")}
${u("tech@otter-msp.example", "otter-msp", "technician")}
[demo]
seed = ${opts.demoSeed ?? true}
`;
}

export interface TestAppliance extends Appliance {
  readonly baseUrl: string;
  readonly adminUrl: string;
  readonly config: Config;
  readonly dir: string;
  readonly dbPath: string;
  /** Stops the appliance and removes its directory. */
  close(): Promise<void>;
}

/** Starts a real appliance on random loopback ports over a fresh libSQL file. Call close() in afterAll. */
export async function startTestAppliance(
  options: {
    extraToml?: string;
    clock?: Clock;
    log?: Logger;
    fetch?: typeof fetch;
    dir?: string;
    env?: Record<string, string>;
    shutdownGraceMs?: number;
    /** A port chosen beforehand (freePort()), for configs that must name it, e.g. server.surface_urls. */
    publicPort?: number;
    /** Replaces the argon2id check, e.g. to count how many password hashes are verified. */
    passwordVerifier?: PasswordVerifier;
  } = {},
): Promise<TestAppliance> {
  const dir = options.dir ?? tempDir();
  const dbPath = join(dir, "cavaridge.db");
  const publicPort = options.publicPort ?? (await freePort());
  const adminPort = await freePort();
  const config = parseConfigText(
    testConfigToml({ publicPort, adminPort, dbPath, extra: options.extraToml }),
    "test.toml",
  );
  const appliance = await startAppliance({
    config,
    env: { ...(options.env ?? {}) },
    clock: options.clock,
    log: options.log ?? silentLogger,
    fetch: options.fetch,
    shutdownGraceMs: options.shutdownGraceMs,
    passwordVerifier: options.passwordVerifier,
  });
  return {
    ...appliance,
    stop: appliance.stop,
    baseUrl: `http://127.0.0.1:${appliance.publicPort}`,
    adminUrl: `http://127.0.0.1:${appliance.adminPort}`,
    config,
    dir,
    dbPath,
    async close() {
      await appliance.stop();
      if (!options.dir) rmSync(dir, { recursive: true, force: true });
    },
  };
}
