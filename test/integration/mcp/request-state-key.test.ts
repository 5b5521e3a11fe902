import { afterAll, expect, test } from "bun:test";
import { rmSync } from "node:fs";
import { eq } from "drizzle-orm";
import { loadMasterKey, loadMasterSubKey } from "../../../src/oauth/keys";
import { quotes } from "../../../src/store/schema/cavalier";
import { freePort, startTestAppliance, type TestAppliance, tempDir } from "../../helpers/appliance";
import { postModern } from "../../helpers/mcp-modern";
import { obtainTokens } from "../../helpers/oauth";

/**
 * The requestState key is an HKDF sub-key of the master secret, not a per-process key: a confirmation proposed by
 * one appliance process is approved by the next one (a restart between the form and the answer, or a second
 * process behind the same proxy), and a state signed under any other key is refused.
 */

const dir = tempDir();
let running: TestAppliance | undefined;
afterAll(async () => {
  await running?.stop();
  rmSync(dir, { recursive: true, force: true });
});

test("sub-keys are separated by purpose and stable; the signing-key key is unchanged", async () => {
  const app = await startTestAppliance();
  try {
    const a = loadMasterSubKey(app.config, {}, "mcp-request-state-v1");
    expect(a).toHaveLength(32);
    expect(loadMasterSubKey(app.config, {}, "mcp-request-state-v1").equals(a)).toBe(true);
    expect(loadMasterSubKey(app.config, {}, "oauth-signing-keys-v1").equals(a)).toBe(false);
    expect(loadMasterKey(app.config, {}).equals(loadMasterSubKey(app.config, {}, "oauth-signing-keys-v1"))).toBe(true);
  } finally {
    await app.close();
  }
});

test("a confirmation proposed before a restart is approved after it, exactly once", async () => {
  const publicPort = await freePort();
  running = await startTestAppliance({ dir, publicPort });
  const token = (await obtainTokens(running, { email: "tech@harbor-it.example", surface: "cavalier" })).access_token;
  const args = {
    tenant_id: "ContosoCare",
    lines: [{ product: "Operations Pro", quantity: 1 }],
    idempotency_key: crypto.randomUUID(),
  };
  const meta = {
    "io.modelcontextprotocol/protocolVersion": "2026-07-28",
    "io.modelcontextprotocol/clientInfo": { name: "restart", version: "1" },
    "io.modelcontextprotocol/clientCapabilities": { elicitation: {} },
  };
  const call = (extra: Record<string, unknown>) =>
    postModern(running!, "cavalier", token, {
      jsonrpc: "2.0",
      method: "tools/call",
      params: { name: "cavalier_create_quote", arguments: args, _meta: meta, ...extra },
    });
  const first = await call({});
  const proposal = first.json.result as { resultType: string; requestState: string };
  expect(proposal.resultType).toBe("input_required");
  const before = (await running.ctx.store.db.select().from(quotes).where(eq(quotes.tenantId, "contosocare"))).length;

  await running.stop();
  running = await startTestAppliance({ dir, publicPort });
  const approve = { confirm: { action: "accept", content: { approve: true } } };
  const done = await call({ requestState: proposal.requestState, inputResponses: approve });
  expect((done.json.result as { isError?: boolean }).isError).toBeFalsy();
  const after = (await running.ctx.store.db.select().from(quotes).where(eq(quotes.tenantId, "contosocare"))).length;
  expect(after - before).toBe(1);
  const again = await call({ requestState: proposal.requestState, inputResponses: approve });
  expect((again.json.result as { isError?: boolean }).isError).toBe(true);
});
