import { afterAll, beforeAll, describe, expect, test, setDefaultTimeout } from "bun:test";
import { decodeProtectedHeader } from "jose";
import { rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { startAppliance } from "../../../../src/appliance";
import { runCli } from "../../../../src/cli/commands";
import { silentLogger } from "../../../../src/shared/log";
import { decryptPrivateJwk, encryptPrivateJwk, MasterKeyError } from "../../../../src/oauth/keys";
import { revokeGrant } from "../../../../src/oauth/grants";
import { oauthSigningKeys } from "../../../../src/store/schema/oauth";
import { startTestAppliance, tempDir, testConfigToml, type TestAppliance } from "../../../helpers/appliance";
import { manualClock, obtainTokens, refreshTokens } from "../../../helpers/oauth";

// Real argon2id sign-ins over HTTP: generous per-test time when the machine is busy.
setDefaultTimeout(30_000);

const time = manualClock();
const dir = tempDir();
let app: TestAppliance;
beforeAll(async () => {
  app = await startTestAppliance({ dir, clock: time.clock });
});
afterAll(async () => {
  await app.close();
  rmSync(dir, { recursive: true, force: true });
});

const jwksKids = async (a: TestAppliance) =>
  ((await (await fetch(`${a.baseUrl}/oauth/jwks`)).json()) as { keys: { kid: string }[] }).keys.map((k) => k.kid);

describe("signing keys", () => {
  test("first start creates the master key file with mode 0600 and stores the private key encrypted", async () => {
    const mode = statSync(app.config.secrets.master_key_file).mode & 0o777;
    expect(mode).toBe(0o600);
    const rows = await app.ctx.store.db.select().from(oauthSigningKeys);
    expect(rows.length).toBe(1);
    expect(rows[0]!.privateJwkEnc.startsWith("v1.")).toBe(true);
    expect(rows[0]!.privateJwkEnc).not.toContain('"d"');
    expect(JSON.parse(rows[0]!.publicJwk).d).toBeUndefined();
  });

  test("the sealed private key is bound to its kid and the master key", () => {
    const key = Buffer.alloc(32, 7);
    const sealed = encryptPrivateJwk(key, "kid-a", { kty: "EC", d: "secret" });
    expect(decryptPrivateJwk(key, "kid-a", sealed).d).toBe("secret");
    expect(() => decryptPrivateJwk(key, "kid-b", sealed)).toThrow(MasterKeyError);
    expect(() => decryptPrivateJwk(Buffer.alloc(32, 8), "kid-a", sealed)).toThrow(MasterKeyError);
  });

  test("a second process on the same database shares the keys and sees revocations immediately", async () => {
    // Same config (same public_url, database and master key file), its own port: a second process behind the same URL.
    const other = await startAppliance({
      config: {
        ...app.config,
        server: { ...app.config.server, listen: "127.0.0.1:0" },
        admin: { ...app.config.admin, enabled: false },
      },
      env: {},
      clock: time.clock,
      log: silentLogger,
    });
    try {
      const otherJwks = (
        (await (await fetch(`http://127.0.0.1:${other.publicPort}/oauth/jwks`)).json()) as { keys: { kid: string }[] }
      ).keys.map((k) => k.kid);
      expect(otherJwks).toEqual(await jwksKids(app));
      const t = await obtainTokens(app, { email: "admin@harbor-it.example", surface: "cavalier" });
      expect((await other.oauth.verifier.verify(t.access_token, "cavalier")).grantId).toBe(t.grant_id);
      await revokeGrant(other.ctx, t.grant_id, { actor: "admin", reason: "test" });
      await expect(app.oauth.verifier.verify(t.access_token, "cavalier")).rejects.toMatchObject({
        code: "invalid_token",
      });
    } finally {
      await other.stop();
    }
  });

  test("`cavaridge keys rotate` adds a key; old tokens keep verifying until they expire; new tokens use the new key", async () => {
    const before = await obtainTokens(app, { email: "admin@harbor-it.example", surface: "forge" });
    const oldKid = decodeProtectedHeader(before.access_token).kid!;
    const configPath = join(dir, "config.toml");
    const url = new URL(app.config.server.public_url);
    writeFileSync(configPath, testConfigToml({ publicPort: Number(url.port), adminPort: 1, dbPath: app.dbPath }));
    const out: string[] = [];
    const err: string[] = [];
    const code = await runCli(["keys", "rotate", "--config", configPath], {
      out: (l) => out.push(l),
      err: (l) => err.push(l),
      env: {},
      readStdin: async () => "",
    });
    expect({ code, err }).toEqual({ code: 0, err: [] });
    const newKid = /new signing key (\S+?);?\s/.exec(`${out.join("\n")} `)![1]!;
    expect(newKid).not.toBe(oldKid);

    time.advance(61_000); // running processes re-read the active key within a minute
    const after = await obtainTokens(app, { email: "admin@harbor-it.example", surface: "forge" });
    expect(decodeProtectedHeader(after.access_token).kid).toBe(newKid);
    expect((await jwksKids(app)).sort()).toEqual([oldKid, newKid].sort());
    await app.oauth.verifier.verify(before.access_token, "forge");
    await app.oauth.verifier.verify(after.access_token, "forge");

    // Once every token the old key signed has expired, it leaves JWKS.
    time.advance((app.config.oauth.access_token_ttl_seconds + 120) * 1000);
    expect(await jwksKids(app)).toEqual([newKid]);
    const refreshed = await refreshTokens(app, after.client_id, after.refresh_token);
    expect(refreshed.status).toBe(200);
  });

  test("a different master secret cannot open the stored keys: the appliance refuses to start", async () => {
    await expect(startTestAppliance({ dir, env: { CAVARIDGE_MASTER_KEY: "x".repeat(40) } })).rejects.toThrow(
      MasterKeyError,
    );
  });
});
