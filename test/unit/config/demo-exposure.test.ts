import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parseConfigText } from "../../../src/config/load";
import { demoAccounts, demoRefusal } from "../../../src/demo/exposure";
import { TEST_PASSWORD_HASH, testConfigToml } from "../../helpers/appliance";

const example = readFileSync(join(import.meta.dir, "../../../config.example.toml"), "utf8");

describe("demo is opt-in and loopback-only", () => {
  test("config.example.toml asks for the demo seed; a config without [demo] never seeds", () => {
    expect(parseConfigText(example, "example").demo.seed).toBe(true);
    const plain = testConfigToml({ publicPort: 1, adminPort: 2, dbPath: "x" }).replace(/\[demo\]\nseed = true\n/, "");
    expect(parseConfigText(plain, "t").demo.seed).toBe(false);
  });

  test("CAVARIDGE_DEMO_SEED=off (and =false) maps onto [demo] seed", () => {
    expect(parseConfigText(example, "example", { CAVARIDGE_DEMO_SEED: "off" }).demo.seed).toBe(false);
    expect(parseConfigText(example, "example", { CAVARIDGE_DEMO_SEED: "OFF" }).demo.seed).toBe(false);
    expect(parseConfigText(example, "example", { CAVARIDGE_DEMO_SEED: "false" }).demo.seed).toBe(false);
  });

  test("the example config's users are recognised by their published hash, without argon2", () => {
    const config = parseConfigText(example, "example");
    expect(demoAccounts(config)).toEqual([
      "platform@harbor-it.example",
      "admin@harbor-it.example",
      "tech@harbor-it.example",
      "owner@fabrikam-law.example",
    ]);
    expect(TEST_PASSWORD_HASH).toBe(config.users[0]!.password_hash);
  });

  test("refused on a public https URL: names the accounts, the seed and the fix", () => {
    const config = parseConfigText(example, "example", { CAVARIDGE_SERVER_PUBLIC_URL: "https://mcp.example.com" });
    const lines = demoRefusal(config)!.join("\n");
    expect(lines).toContain("platform@harbor-it.example");
    expect(lines).toContain("cavaridge user set-password");
    expect(lines).toContain("[demo] seed");
  });

  test("refused on a non-loopback listener even with a loopback public_url", () => {
    const config = parseConfigText(example, "example", { CAVARIDGE_SERVER_LISTEN: "0.0.0.0:8787" });
    expect(demoRefusal(config)).not.toBeNull();
  });

  test("the seed alone is refused on a public URL; no demo at all is not", () => {
    const env = { CAVARIDGE_SERVER_PUBLIC_URL: "https://mcp.example.com" };
    const noUsers = example.replace(/\[\[users\]\][\s\S]*$/, "");
    const seedOnly = demoRefusal(parseConfigText(noUsers, "x", env))!.join("\n");
    expect(seedOnly).toContain("[demo] seed");
    expect(seedOnly).not.toContain("published demo password");
    expect(demoRefusal(parseConfigText(noUsers, "x", { ...env, CAVARIDGE_DEMO_SEED: "off" }))).toBeNull();
  });

  test("loopback keeps the demo; a disabled demo user does not count", () => {
    expect(demoRefusal(parseConfigText(example, "example"))).toBeNull();
    const disabled = example.replace(/^role = "/gm, 'disabled = true\nrole = "');
    const config = parseConfigText(disabled, "x", {
      CAVARIDGE_SERVER_PUBLIC_URL: "https://mcp.example.com",
      CAVARIDGE_DEMO_SEED: "off",
    });
    expect(demoAccounts(config)).toEqual([]);
    expect(demoRefusal(config)).toBeNull();
  });
});
