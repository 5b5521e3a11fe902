import { afterAll, beforeAll, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { runCli } from "../../../src/cli/commands";
import { loadMasterKey, rotateSigningKeys } from "../../../src/oauth/keys";
import { headSeq } from "../../../src/observability/stream/store";
import { startTestAppliance, testConfigToml, type TestAppliance } from "../../helpers/appliance";
import { HttpReceiver, waitFor, type ReceivedRecord } from "../../helpers/audit-receivers";
import { obtainTokens } from "../../helpers/oauth";

/**
 * `cavaridge audit verify --checkpoint FILE`: a checkpoint saved from the stream verifies against the local chain,
 * keeps verifying after its signing key has retired and left the JWKS, and fails once the log is rewritten.
 */

let app: TestAppliance;
const receiver = new HttpReceiver();
let cfg: string;

beforeAll(async () => {
  receiver.start();
  app = await startTestAppliance({
    env: { CAVARIDGE_DEMO_SEED: "off" },
    extraToml: `[audit]\ncheckpoint_every_rows = 4\n[[audit.sinks]]\ntype = "http"\nurl = "http://127.0.0.1:${receiver.port}/"\n`,
  });
  cfg = join(app.dir, "cli.toml");
  // The same database and master key as the running appliance, for the CLI.
  writeFileSync(
    cfg,
    testConfigToml({
      publicPort: app.publicPort,
      adminPort: app.adminPort!,
      dbPath: app.dbPath,
    }),
  );
}, 60_000);

afterAll(async () => {
  await app?.close();
  await receiver.stop();
});

async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(argv, {
    out: (l) => out.push(l),
    err: (l) => err.push(l),
    env: {},
    readStdin: async () => "",
  });
  return { code, out: out.join("\n"), err: err.join("\n") };
}

async function latestCheckpoint(): Promise<ReceivedRecord> {
  await Promise.all(
    Array.from({ length: 6 }, (_, i) =>
      app.ctx.audit.record({ kind: "system", action: "test.row", outcome: "ok", detail: { i } }),
    ),
  );
  const head = await headSeq(app.ctx.store.client);
  await waitFor(
    () => receiver.records.some((r) => r.type === "checkpoint" && r.seq === head),
    15_000,
    "a checkpoint at the head",
  );
  return receiver.records.filter((r) => r.type === "checkpoint").at(-1)!;
}

test("a saved checkpoint verifies, also after its key retired and left the JWKS; a rewritten row fails it", async () => {
  const checkpoint = await latestCheckpoint();
  const file = join(app.dir, "checkpoint.json");
  writeFileSync(file, `${JSON.stringify(checkpoint)}\n`);
  const okRun = await cli("audit", "verify", "--checkpoint", file, "--config", cfg);
  expect(okRun.err).toBe("");
  expect(okRun.code).toBe(0);
  expect(okRun.out).toContain(`checkpoint ok: row seq=${checkpoint.seq}`);

  // Retire the key and let its publication end: it leaves the JWKS, the checkpoint still verifies.
  const kid = JSON.parse(Buffer.from(checkpoint.jws!.split(".")[0]!, "base64url").toString()).kid as string;
  await rotateSigningKeys(app.ctx.store.db, loadMasterKey(app.config, {}), app.config, Date.now());
  await app.ctx.store.client.execute({
    sql: "UPDATE oauth_signing_keys SET publish_until = 1 WHERE kid = ?",
    args: [kid],
  });
  await app.oauth.keys.reload();
  expect((await app.oauth.keys.jwks()).keys.map((k) => k.kid)).not.toContain(kid);
  expect((await cli("audit", "verify", "--checkpoint", file, "--config", cfg)).code).toBe(0);

  // Only the compact JWS, as a SIEM might keep it.
  const jwsFile = join(app.dir, "checkpoint.jws");
  writeFileSync(jwsFile, checkpoint.jws!);
  expect((await cli("audit", "verify", "--checkpoint", jwsFile, "--config", cfg)).code).toBe(0);

  // A row before the checkpoint is edited in place: the chain no longer reaches the signed hash.
  await app.ctx.store.client.execute({
    sql: "UPDATE audit_log SET outcome = 'tampered' WHERE seq = ?",
    args: [checkpoint.seq - 1],
  });
  const bad = await cli("audit", "verify", "--checkpoint", file, "--config", cfg);
  expect(bad.code).toBe(2);
  expect(bad.err).toContain("checkpoint FAILED");
}, 60_000);

test("an access token is not a checkpoint (typ), and a tampered payload does not verify", async () => {
  const tokens = await obtainTokens(app, { email: "tech@harbor-it.example", surface: "forge" });
  const tokenFile = join(app.dir, "token.jws");
  writeFileSync(tokenFile, tokens.access_token);
  const asToken = await cli("audit", "verify", "--checkpoint", tokenFile, "--config", cfg);
  expect(asToken.code).toBe(2);
  expect(asToken.err).toContain("typ");

  const checkpoint = receiver.records.filter((r) => r.type === "checkpoint").at(-1)!;
  const [h, p, s] = checkpoint.jws!.split(".");
  const payload = JSON.parse(Buffer.from(p!, "base64url").toString()) as { seq: number };
  const forged = `${h}.${Buffer.from(JSON.stringify({ ...payload, seq: payload.seq + 1 })).toString("base64url")}.${s}`;
  const forgedFile = join(app.dir, "forged.jws");
  writeFileSync(forgedFile, forged);
  const res = await cli("audit", "verify", "--checkpoint", forgedFile, "--config", cfg);
  expect(res.code).toBe(2);
  expect(res.err).toContain("does not verify");
  const empty = join(app.dir, "empty.txt");
  writeFileSync(empty, "nothing here");
  expect((await cli("audit", "verify", "--checkpoint", empty, "--config", cfg)).code).toBe(2);
}, 60_000);
