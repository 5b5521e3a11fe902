import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { applyEnvOverrides, ConfigError, parseConfigText } from "../../../src/config/load";
import { TEST_PASSWORD_HASH } from "../../helpers/appliance";

const root = join(import.meta.dir, "../../..");
const base = (extra = "", users = "") => `
[server]
public_url = "https://mcp.example.com/"
${extra}
[[tenants]]
id = "acme-msp"
name = "Acme MSP"
kind = "msp"

[[tenants]]
id = "client-a"
name = "Client A"
kind = "client"
parent = "acme-msp"
${users}`;

function problems(text: string, env: Record<string, string> = {}): { path: string; message: string }[] {
  try {
    parseConfigText(text, "test.toml", env);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  return [];
}

describe("config validation", () => {
  test("accepts config.example.toml and fills defaults", () => {
    const config = parseConfigText(readFileSync(join(root, "config.example.toml"), "utf8"), "config.example.toml");
    expect(config.tenants.map((t) => t.id)).toContain("contosocare");
    expect(config.admin.listen).toBe("127.0.0.1:8788");
    expect(config.database.url).toBe("file:./data/cavaridge.db");
  });

  test("normalizes public_url without a trailing slash (it is the OAuth issuer)", () => {
    expect(parseConfigText(base(), "t").server.public_url).toBe("https://mcp.example.com");
  });

  test("reports bad TOML with its line", () => {
    const p = problems("[server\npublic_url = 1");
    expect(p[0]!.path).toMatch(/^line 1/);
    expect(p[0]!.message).toContain("invalid TOML");
  });

  test("names an unknown key", () => {
    expect(problems(base("listen_port = 80"))).toContainEqual({
      path: "server.listen_port",
      message: "must be removed",
    });
  });

  test("rejects a client tenant whose parent is not an msp", () => {
    const text = `${base()}\n[[tenants]]\nid = "client-b"\nname = "B"\nkind = "client"\nparent = "client-a"\n`;
    expect(problems(text)).toContainEqual({
      path: "tenants[2].parent",
      message: 'parent "client-a" is not an msp tenant',
    });
  });

  test("rejects a duplicate user email, case-insensitively", () => {
    const user = (email: string) =>
      `\n[[users]]\nemail = "${email}"\nname = "U"\ntenant = "acme-msp"\nrole = "technician"\npassword_hash = "${TEST_PASSWORD_HASH}"\n`;
    const p = problems(base("", user("a@x.example") + user("A@x.example")));
    expect(p).toContainEqual({ path: "users[1].email", message: 'duplicate user email "A@x.example"' });
  });

  test("refuses a plain password and names the key", () => {
    const text = base(
      "",
      `\n[[users]]\nemail = "a@x.example"\nname = "U"\ntenant = "acme-msp"\nrole = "technician"\npassword_hash = "hunter2"\n`,
    );
    const p = problems(text);
    expect(p.map((x) => x.path)).toEqual(["users[0].password_hash"]);
    expect(p[0]!.message).toContain("argon2id");
  });

  test("rejects an unknown role and an unknown tenant", () => {
    const text = base(
      "",
      `\n[[users]]\nemail = "a@x.example"\nname = "U"\ntenant = "nope"\nrole = "owner"\npassword_hash = "${TEST_PASSWORD_HASH}"\n`,
    );
    expect(problems(text).map((x) => x.path)).toEqual(["users[0].role", "users[0].tenant"]);
    const text2 = base(
      "",
      `\n[[users]]\nemail = "a@x.example"\nname = "U"\ntenant = "nope"\nrole = "technician"\npassword_hash = "${TEST_PASSWORD_HASH}"\n`,
    );
    expect(problems(text2)).toContainEqual({ path: "users[0].tenant", message: 'unknown tenant "nope"' });
  });

  test("refuses a non-loopback admin listener unless allow_remote is set", () => {
    expect(problems(`${base()}\n[admin]\nlisten = "0.0.0.0:8788"\n`).map((p) => p.path)).toContain("admin.listen");
    expect(problems(`${base()}\n[admin]\nlisten = "0.0.0.0:8788"\nallow_remote = true\n`)).toEqual([]);
  });

  test("environment overrides win over the file and are typed", () => {
    const config = parseConfigText(base(), "t", {
      CAVARIDGE_SERVER_LISTEN: "127.0.0.1:9999",
      CAVARIDGE_OAUTH_ACCESS_TOKEN_TTL_SECONDS: "120",
      CAVARIDGE_SURFACES_AEGIS: "false",
    });
    expect(config.server.listen).toBe("127.0.0.1:9999");
    expect(config.oauth.access_token_ttl_seconds).toBe(120);
    expect(config.surfaces.aegis).toBe(false);
  });

  test("an override error names the environment variable", () => {
    const p = problems(base(), { CAVARIDGE_OAUTH_ACCESS_TOKEN_TTL_SECONDS: "5" });
    expect(p[0]!.path).toBe("oauth.access_token_ttl_seconds");
    expect(p[0]!.message).toContain("CAVARIDGE_OAUTH_ACCESS_TOKEN_TTL_SECONDS");
  });

  test("variables outside the known sections are ignored", () => {
    const raw: Record<string, unknown> = {};
    applyEnvOverrides(raw, { CAVARIDGE_MASTER_KEY: "x", CAVARIDGE_DB_AUTH_TOKEN: "y", PATH: "/bin" });
    expect(raw).toEqual({});
  });

  // Regression: CAVARIDGE_ADMIN_TOKEN (exported for the admin API curl example) and a libSQL token in
  // CAVARIDGE_DATABASE_AUTH_TOKEN used to become config keys and stop the appliance with "must be removed".
  test("CAVARIDGE_* variables that are not declared keys of a section do not break the config", () => {
    const config = parseConfigText(base(), "t", {
      CAVARIDGE_ADMIN_TOKEN: "cvadm_secret",
      CAVARIDGE_DATABASE_AUTH_TOKEN: "libsql-token",
      CAVARIDGE_SERVER_LISTEN: "127.0.0.1:9998",
    });
    expect(config.server.listen).toBe("127.0.0.1:9998");
    expect(config.database.auth_token_env).toBe("CAVARIDGE_DB_AUTH_TOKEN");
    expect(JSON.stringify(config)).not.toContain("cvadm_secret");
  });
});
