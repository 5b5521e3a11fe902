import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import parsePrometheusTextFormat, { type PrometheusFamily } from "parse-prometheus-text-format";
import { createAdminApiToken } from "../../../src/admin/api-tokens";
import { userIdForEmail } from "../../../src/tenancy/sync";
import { freePort, startTestAppliance, type TestAppliance } from "../../helpers/appliance";
import { obtainTokens } from "../../helpers/oauth";
import { call, connectSurface, ok, rawToolCall } from "../../helpers/tool-calls";

/**
 * /metrics in the Prometheus text format, read back with an independent parser, on the admin listener (loopback:
 * no token) and on a `[metrics] listen` address that is not loopback (token required).
 */

let app: TestAppliance;
let metricsPort: number;
const METRICS_TOKEN = "metrics-token-for-the-test-0123456789";

beforeAll(async () => {
  metricsPort = await freePort();
  app = await startTestAppliance({
    env: { CAVARIDGE_DEMO_SEED: "off", TEST_METRICS_TOKEN: METRICS_TOKEN },
    // 0.0.0.0 is not loopback, so this listener demands a token; the test still connects over 127.0.0.1.
    extraToml: `[metrics]\nlisten = "0.0.0.0:${metricsPort}"\ntoken_env = "TEST_METRICS_TOKEN"\n`,
  });
}, 60_000);

afterAll(async () => {
  await app?.close();
});

async function scrape(url = `${app.adminUrl}/metrics`, token?: string): Promise<PrometheusFamily[]> {
  const res = await fetch(url, token ? { headers: { authorization: `Bearer ${token}` } } : {});
  expect(res.status).toBe(200);
  expect(res.headers.get("content-type")).toStartWith("text/plain; version=0.0.4");
  return parsePrometheusTextFormat(await res.text());
}

function sample(families: PrometheusFamily[], name: string, labels: Record<string, string> = {}): number {
  const family = families.find((f) => f.name === name);
  if (!family) return 0;
  return family.metrics
    .filter((m) => Object.entries(labels).every(([k, v]) => m.labels?.[k] === v))
    .reduce((sum, m) => sum + Number(m.value ?? m.count ?? 0), 0);
}

describe("/metrics", () => {
  test("parses as Prometheus text and its counters move as tool calls and OAuth events happen", async () => {
    const before = await scrape();
    for (const name of [
      "cavaridge_http_requests_total",
      "cavaridge_tool_calls_total",
      "cavaridge_tool_call_duration_seconds",
      "cavaridge_audit_commit_duration_seconds",
      "cavaridge_audit_commit_group_size",
      "cavaridge_oauth_events_total",
      "cavaridge_oauth_active_grants",
      "cavaridge_refusals_before_auth_total",
      "cavaridge_token_verify_cache_total",
      "cavaridge_process_resident_memory_bytes",
      "cavaridge_nodejs_eventloop_lag_seconds",
      "cavaridge_audit_stream_lag_rows",
    ])
      expect(before.some((f) => f.name === name)).toBe(true);

    const tokens = await obtainTokens(app, { email: "tech@harbor-it.example", surface: "forge" });
    const client = await connectSurface(app, "forge", tokens.access_token);
    for (let i = 0; i < 3; i++) ok(await call(client, "forge_search_knowledge", { query: `vpn ${i}` }));
    // A tool name the catalog does not have must not become a label value.
    await rawToolCall(app, "forge", tokens.access_token, "made_up_tool_zz9", {});
    // A token that is not one: refused before authentication.
    expect((await rawToolCall(app, "forge", "not-a-real-token", "forge_search_knowledge", { query: "x" })).status).toBe(
      401,
    );
    await client.close();
    await app.ctx.audit.flush();

    const after = await scrape();
    const calls = { surface: "forge", tool: "forge_search_knowledge", outcome: "ok" };
    expect(
      sample(after, "cavaridge_tool_calls_total", calls) - sample(before, "cavaridge_tool_calls_total", calls),
    ).toBe(3);
    // The tool name the request made up is counted under `unknown`, never as its own label value.
    expect(sample(after, "cavaridge_tool_calls_total", { surface: "forge", tool: "unknown" })).toBe(1);
    expect(sample(after, "cavaridge_oauth_events_total", { event: "token_issued" })).toBeGreaterThan(
      sample(before, "cavaridge_oauth_events_total", { event: "token_issued" }),
    );
    expect(sample(after, "cavaridge_oauth_active_grants")).toBeGreaterThanOrEqual(1);
    expect(
      sample(after, "cavaridge_refusals_before_auth_total", { surface: "forge", reason: "401" }),
    ).toBeGreaterThanOrEqual(1);
    expect(sample(after, "cavaridge_http_requests_total", { listener: "public", surface: "forge" })).toBeGreaterThan(
      sample(before, "cavaridge_http_requests_total", { listener: "public", surface: "forge" }),
    );
    expect(sample(after, "cavaridge_token_verify_cache_total", { result: "hit" })).toBeGreaterThanOrEqual(2);
    expect(sample(after, "cavaridge_audit_commit_group_size")).toBeGreaterThan(
      sample(before, "cavaridge_audit_commit_group_size"),
    );
    const text = await (await fetch(`${app.adminUrl}/metrics`)).text();
    expect(text).not.toContain("made_up_tool_zz9");
    // parse-prometheus-text-format merges the label sets of a labelled histogram into one sample (it follows an
    // early client_python parser), so the per-tool histogram count is read from its exposition line.
    // Three answered calls and the refused one (audited as `unauthorized`).
    expect(text).toContain(
      'cavaridge_tool_call_duration_seconds_count{surface="forge",tool="forge_search_knowledge"} 4\n',
    );
    expect(
      sample(after, "cavaridge_tool_calls_total", { tool: "forge_search_knowledge", outcome: "unauthorized" }),
    ).toBe(1);
  }, 60_000);

  test("a listener that is not loopback wants the metrics token or a platform admin's API token; tenant-scoped tokens get 403", async () => {
    const url = `http://127.0.0.1:${metricsPort}/metrics`;
    const none = await fetch(url);
    expect(none.status).toBe(401);
    expect(none.headers.get("www-authenticate")).toContain("Bearer");
    expect((await fetch(url, { headers: { authorization: "Bearer not-a-token" } })).status).toBe(401);

    await scrape(url, METRICS_TOKEN);
    const now = Date.now();
    const platform = await createAdminApiToken(
      app.ctx.store.db,
      userIdForEmail("platform@harbor-it.example"),
      "prom",
      now,
    );
    await scrape(url, platform.token);

    const msp = await createAdminApiToken(app.ctx.store.db, userIdForEmail("admin@harbor-it.example"), "prom", now);
    const mspRes = await fetch(url, { headers: { authorization: `Bearer ${msp.token}` } });
    expect(mspRes.status).toBe(403);
    const access = await obtainTokens(app, { email: "admin@harbor-it.example", surface: "cavalier" });
    expect((await fetch(url, { headers: { authorization: `Bearer ${access.access_token}` } })).status).toBe(403);
    expect((await fetch(`http://127.0.0.1:${metricsPort}/other`)).status).toBe(404);
    // The loopback admin listener needs no token, so it refuses a Host a rebound DNS name would send.
    expect((await fetch(`${app.adminUrl}/metrics`, { headers: { host: "attacker.example" } })).status).toBe(421);
  }, 60_000);
});
