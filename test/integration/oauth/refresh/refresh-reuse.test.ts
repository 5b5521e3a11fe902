import { afterAll, beforeAll, describe, expect, test, setDefaultTimeout } from "bun:test";
import { and, eq } from "drizzle-orm";
import { REFRESH_GRACE_MS } from "../../../../src/oauth/token";
import { auditLog } from "../../../../src/store/schema/audit";
import { oauthGrants } from "../../../../src/store/schema/oauth";
import { startTestAppliance, type TestAppliance } from "../../../helpers/appliance";
import { manualClock, obtainTokens, refreshTokens } from "../../../helpers/oauth";

// Real argon2id sign-ins over HTTP: generous per-test time when the machine is busy.
setDefaultTimeout(30_000);

const time = manualClock();
let app: TestAppliance;
beforeAll(async () => {
  app = await startTestAppliance({ clock: time.clock });
});
afterAll(async () => {
  await app.close();
});

type TokenBody = { access_token: string; refresh_token: string; error?: string; error_description?: string };
const refresh = async (clientId: string, rt: string) => {
  const res = await refreshTokens(app, clientId, rt);
  return { status: res.status, body: (await res.json()) as TokenBody };
};

async function grantState(grantId: string) {
  await app.ctx.audit.flush();
  const [g] = await app.ctx.store.db
    .select({ revokedAt: oauthGrants.revokedAt, reason: oauthGrants.revokedReason })
    .from(oauthGrants)
    .where(eq(oauthGrants.id, grantId));
  const reuse = await app.ctx.store.db
    .select()
    .from(auditLog)
    .where(and(eq(auditLog.grantId, grantId), eq(auditLog.action, "oauth.token.reuse_detected")));
  return { revoked: g!.revokedAt !== null, reason: g!.reason, reuseRows: reuse };
}

describe("refresh token reuse detection (RFC 9700 §4.14.2)", () => {
  test("bug: a thief who used the previous RT in the grace window could take the grant over unnoticed", async () => {
    const t = await obtainTokens(app, { email: "admin@harbor-it.example", surface: "cavalier" });
    const legit = await refresh(t.client_id, t.refresh_token); // RT1 -> RT2 (legitimate client)
    const thief = await refresh(t.client_id, t.refresh_token); // RT1 again in the grace window -> RT3
    expect([legit.status, thief.status]).toEqual([200, 200]);
    const thief2 = await refresh(t.client_id, thief.body.refresh_token); // RT3 used: RT1 and RT2 retired
    expect(thief2.status).toBe(200);
    // The legitimate client presents RT2: this is the reuse signal, and the whole grant goes.
    const back = await refresh(t.client_id, legit.body.refresh_token);
    expect(back.status).toBe(400);
    expect(back.body.error).toBe("invalid_grant");
    expect((await refresh(t.client_id, thief2.body.refresh_token)).body.error).toBe("invalid_grant");
    await expect(app.oauth.verifier.verify(thief2.body.access_token, "cavalier")).rejects.toMatchObject({
      code: "invalid_token",
    });
    const state = await grantState(t.grant_id);
    expect(state.revoked).toBe(true);
    expect(state.reason).toBe("refresh_token_reuse");
    expect(state.reuseRows.length).toBe(1);
    expect(state.reuseRows[0]!.outcome).toBe("denied");
    expect(JSON.stringify(state.reuseRows)).not.toContain(legit.body.refresh_token);
  });

  test("an older RT (two generations back) revokes the grant and is audited", async () => {
    const t = await obtainTokens(app, { email: "admin@harbor-it.example", surface: "cavalier" });
    const r2 = await refresh(t.client_id, t.refresh_token);
    const r3 = await refresh(t.client_id, r2.body.refresh_token);
    expect(r3.status).toBe(200);
    expect((await refresh(t.client_id, t.refresh_token)).body.error).toBe("invalid_grant");
    expect((await refresh(t.client_id, r3.body.refresh_token)).body.error).toBe("invalid_grant");
    const state = await grantState(t.grant_id);
    expect(state.revoked).toBe(true);
    expect(state.reuseRows.length).toBe(1);
  });

  test("the grace for the previous RT is bounded: within the window it works, past it it counts as reuse", async () => {
    const t = await obtainTokens(app, { email: "admin@harbor-it.example", surface: "cavalier" });
    const r2 = await refresh(t.client_id, t.refresh_token);
    expect(r2.status).toBe(200);
    // Lost response: the client retries with RT1 shortly after; it gets a working successor.
    time.advance(REFRESH_GRACE_MS - 1000);
    const retry = await refresh(t.client_id, t.refresh_token);
    expect(retry.status).toBe(200);
    expect((await grantState(t.grant_id)).revoked).toBe(false);
    // Past the window (counted from RT1's first use), RT1 is no longer honoured even though RT2 was never used.
    time.advance(2000);
    const late = await refresh(t.client_id, t.refresh_token);
    expect(late.status).toBe(400);
    expect(late.body.error).toBe("invalid_grant");
    const state = await grantState(t.grant_id);
    expect(state.revoked).toBe(true);
    expect(state.reuseRows.map((r) => (r.detail as string | null) ?? "").join()).toContain("grace_expired");
    expect((await refresh(t.client_id, retry.body.refresh_token)).body.error).toBe("invalid_grant");
  });

  test("the newest RT keeps working long after the previous one's grace ended", async () => {
    const t = await obtainTokens(app, { email: "admin@harbor-it.example", surface: "cavalier" });
    const r2 = await refresh(t.client_id, t.refresh_token);
    time.advance(REFRESH_GRACE_MS * 10);
    const r3 = await refresh(t.client_id, r2.body.refresh_token);
    expect(r3.status).toBe(200);
    expect((await grantState(t.grant_id)).revoked).toBe(false);
  });
});
