import { expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";

/**
 * The image never ships the demo config as its production config, initialises an empty volume through the binary
 * (`serve --init-if-missing`, tested in test/integration/ops/first-run.test.ts), and keeps the master key off the
 * database volume.
 */
const dockerfile = readFileSync(join(import.meta.dir, "../../Dockerfile"), "utf8");
const instructions = dockerfile.split("\n").filter((l) => !l.trimStart().startsWith("#"));

test("the Dockerfile bakes no config and starts with serve --init-if-missing", () => {
  expect(instructions.some((l) => l.includes("config.example.toml"))).toBe(false);
  expect(instructions.join("\n")).toContain(
    'CMD ["serve", "--init-if-missing", "--config", "/etc/cavaridge/config.toml"]',
  );
});

test("the master key lives on its own volume, apart from the database's", () => {
  const env = instructions.join("\n");
  expect(env).toContain("CAVARIDGE_DATABASE_URL=file:/data/cavaridge.db");
  expect(env).toContain("CAVARIDGE_SECRETS_MASTER_KEY_FILE=/etc/cavaridge/master.key");
  expect(env).toContain('VOLUME ["/data", "/etc/cavaridge"]');
});
