import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { rmSync } from "node:fs";
import { join } from "node:path";
import { consumeConfirmation, proposeConfirmation, type ConfirmationBinding } from "../../../src/mcp/confirmation";
import { openStore, type Store } from "../../../src/store/index";
import { applyMigrations } from "../../../src/store/migrate";
import { tempDir } from "../../helpers/appliance";

let store: Store;
let dir: string;
const T0 = 1_800_000_000_000;
const TTL = 300;

beforeAll(async () => {
  dir = tempDir();
  store = await openStore(`file:${join(dir, "c.db")}`);
  await applyMigrations(store.client, () => T0);
});
afterAll(() => {
  store?.close();
  rmSync(dir, { recursive: true, force: true });
});

const base: ConfirmationBinding = {
  userId: "usr_a",
  clientId: "cli_a",
  grantId: "grt_a",
  surface: "cavalier",
  tool: "cavalier_create_quote",
  tenantId: "contosocare",
  scopeHash: "scope1",
  argsHash: "args1",
};
let n = 0;
const fresh = (): ConfirmationBinding => ({ ...base, argsHash: `args_${++n}` });

describe("confirmation binding", () => {
  test("each bound field must match: user, client, grant, surface, tool, tenant, scope, arguments", async () => {
    for (const field of Object.keys(base) as (keyof ConfirmationBinding)[]) {
      const b = fresh();
      const p = await proposeConfirmation(store.db, b, `aud_${field}`, T0, TTL);
      expect(await consumeConfirmation(store.db, { ...b, [field]: "other" }, p.token, T0 + 1)).toBeNull();
      expect(await consumeConfirmation(store.db, { ...b, [field]: "other" }, undefined, T0 + 1)).toBeNull();
      expect(await consumeConfirmation(store.db, b, p.token, T0 + 1)).toEqual({ id: p.id, auditId: `aud_${field}` });
    }
  });

  test("single use, with or without the token", async () => {
    const b = fresh();
    const p = await proposeConfirmation(store.db, b, "aud_once", T0, TTL);
    expect(await consumeConfirmation(store.db, b, undefined, T0 + 1)).not.toBeNull();
    expect(await consumeConfirmation(store.db, b, undefined, T0 + 2)).toBeNull();
    expect(await consumeConfirmation(store.db, b, p.token, T0 + 2)).toBeNull();
  });

  test("bug: a token-required proposal (answering a confirmed call that matched nothing) is never consumed without its token", async () => {
    const b = fresh();
    const p = await proposeConfirmation(store.db, b, "aud_tr", T0, TTL, true);
    expect(await consumeConfirmation(store.db, b, undefined, T0 + 1)).toBeNull();
    expect(await consumeConfirmation(store.db, b, undefined, T0 + 2)).toBeNull();
    expect(await consumeConfirmation(store.db, b, p.token, T0 + 3)).toEqual({ id: p.id, auditId: "aud_tr" });
  });

  test("expires after the TTL", async () => {
    const b = fresh();
    const p = await proposeConfirmation(store.db, b, "aud_exp", T0, TTL);
    expect(p.expiresAt).toBe(T0 + TTL * 1000);
    expect(await consumeConfirmation(store.db, b, p.token, T0 + TTL * 1000)).toBeNull();
  });

  test("a token of another proposal with identical binding does not consume this one twice", async () => {
    const b = fresh();
    const p1 = await proposeConfirmation(store.db, b, "aud_1", T0, TTL);
    const p2 = await proposeConfirmation(store.db, b, "aud_2", T0 + 1, TTL);
    expect((await consumeConfirmation(store.db, b, p1.token, T0 + 2))?.auditId).toBe("aud_1");
    expect(await consumeConfirmation(store.db, b, p1.token, T0 + 3)).toBeNull();
    // Without a token, the newest pending one is taken.
    expect((await consumeConfirmation(store.db, b, undefined, T0 + 3))?.auditId).toBe("aud_2");
    void p2;
  });

  test("the raw token is never stored", async () => {
    const p = await proposeConfirmation(store.db, fresh(), "aud_raw", T0, TTL);
    const dump = await store.client.execute("SELECT * FROM mcp_confirmations");
    expect(JSON.stringify(dump.rows)).not.toContain(p.token);
  });
});
