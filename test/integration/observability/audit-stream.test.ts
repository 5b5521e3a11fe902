import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { afterEach, describe, expect, test } from "bun:test";
import { verifyAgainstCheckpoint } from "../../../src/observability/verify-command";
import { headSeq } from "../../../src/observability/stream/store";
import { startTestAppliance, type TestAppliance } from "../../helpers/appliance";
import { HttpReceiver, SyslogReceiver, waitFor, type ReceivedRecord } from "../../helpers/audit-receivers";
import { obtainTokens } from "../../helpers/oauth";
import { signInAdmin } from "../admin/admin-session";
import { call, connectSurface, ok } from "../../helpers/tool-calls";

/**
 * The audit stream over real sockets: a TCP syslog collector and an HTTP collector on loopback, a real appliance,
 * real tool calls through the MCP SDK client.
 */

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c().catch(() => {});
});

async function applianceWith(sinksToml: string, env: Record<string, string> = {}): Promise<TestAppliance> {
  const app = await startTestAppliance({
    env: { CAVARIDGE_DEMO_SEED: "off", ...env },
    extraToml: `[audit]\ncheckpoint_every_rows = 5\n${sinksToml}`,
  });
  cleanup.push(() => app.close());
  return app;
}

async function forgeClient(app: TestAppliance): Promise<Client> {
  const tokens = await obtainTokens(app, { email: "tech@harbor-it.example", surface: "forge" });
  const client = await connectSurface(app, "forge", tokens.access_token);
  cleanup.push(() => client.close());
  return client;
}

async function search(client: Client, query: string): Promise<void> {
  ok(await call(client, "forge_search_knowledge", { query }));
}

const auditRows = (records: ReceivedRecord[]) => records.filter((r) => r.type === "audit");

/** Every seq from 1 to head arrived; every repeat is the same (seq, hash); first arrivals are in seq order. */
function expectCompleteInOrder(records: ReceivedRecord[], head: number): void {
  const rows = auditRows(records);
  const firstSeen = new Map<number, ReceivedRecord>();
  const order: number[] = [];
  for (const r of rows) {
    const seen = firstSeen.get(r.seq);
    if (seen) {
      expect(r.hash).toBe(seen.hash); // a duplicate the receiver can see by its seq, never a different row
      continue;
    }
    firstSeen.set(r.seq, r);
    order.push(r.seq);
  }
  expect(order).toEqual(Array.from({ length: head }, (_, i) => i + 1));
  // The chain links as received: each row's prev_hash is the hash of the row before it.
  for (let seq = 2; seq <= head; seq++) expect(firstSeen.get(seq)!.prev_hash).toBe(firstSeen.get(seq - 1)!.hash);
}

describe("audit stream", () => {
  test("syslog (RFC 5424, octet counting) and HTTP JSON-lines collectors get every row in order, with checkpoints", async () => {
    const syslog = new SyslogReceiver();
    await syslog.start();
    cleanup.push(() => syslog.stop());
    const http = new HttpReceiver();
    http.start();
    cleanup.push(() => http.stop());
    const app = await applianceWith(
      `[[audit.sinks]]\ntype = "syslog"\naddress = "127.0.0.1:${syslog.port}"\n\n` +
        `[[audit.sinks]]\ntype = "http"\nurl = "http://127.0.0.1:${http.port}/ingest"\nheader_env = "TEST_HEC_HEADER"\nbatch_size = 7\n`,
      { TEST_HEC_HEADER: "Authorization: Splunk 0000-test-token" },
    );
    const client = await forgeClient(app);
    for (let i = 0; i < 12; i++) await search(client, `printer ${i}`);
    await app.ctx.audit.flush();
    const head = await headSeq(app.ctx.store.client);
    expect(head).toBeGreaterThanOrEqual(14);
    await waitFor(() => new Set(auditRows(syslog.records).map((r) => r.seq)).size >= head, 15_000, "syslog rows");
    await waitFor(() => new Set(auditRows(http.records).map((r) => r.seq)).size >= head, 15_000, "http rows");

    expect(syslog.framingErrors).toEqual([]);
    expectCompleteInOrder(syslog.records, head);
    expectCompleteInOrder(http.records, head);
    expect(http.headers.every((h) => h.get("authorization") === "Splunk 0000-test-token")).toBe(true);
    // Structured data carries what a SIEM filters on.
    const toolRow = syslog.raw.find((m) => m.includes('tool="forge_search_knowledge"'))!;
    expect(toolRow).toMatch(
      /\[audit@32473 epoch="genesis" seq="\d+" hash="[0-9a-f]{64}" outcome="ok" surface="forge" tool="forge_search_knowledge" tenant="[^"]+" user="usr_/,
    );

    // Checkpoints: signed, typed, and they verify against the local chain.
    const checkpoints = http.records.filter((r) => r.type === "checkpoint");
    expect(checkpoints.length).toBeGreaterThanOrEqual(2);
    const header = JSON.parse(Buffer.from(checkpoints[0]!.jws!.split(".")[0]!, "base64url").toString()) as {
      typ: string;
    };
    expect(header.typ).toBe("audit-checkpoint+jwt");
    const verdict = await verifyAgainstCheckpoint(app.ctx.store.client, JSON.stringify(checkpoints.at(-1)));
    expect(verdict.ok).toBe(true);
    const fromSyslog = syslog.raw.find((m) => m.includes(" checkpoint [audit@32473"))!;
    expect((await verifyAgainstCheckpoint(app.ctx.store.client, fromSyslog)).ok).toBe(true);
  }, 60_000);

  test("a collector that is down and comes back loses nothing; repeats are only rows the seq shows as repeats", async () => {
    const syslog = new SyslogReceiver();
    const port = await syslog.start();
    cleanup.push(() => syslog.stop());
    const app = await applianceWith(`[[audit.sinks]]\ntype = "syslog"\naddress = "127.0.0.1:${port}"\n`);
    const client = await forgeClient(app);
    await search(client, "before the outage");
    await app.ctx.audit.flush();
    await waitFor(
      async () => auditRows(syslog.records).length >= (await headSeq(app.ctx.store.client)),
      10_000,
      "first rows",
    );

    await syslog.stop();
    for (let i = 0; i < 10; i++) await search(client, `during the outage ${i}`);
    await app.ctx.audit.flush();
    const head = await headSeq(app.ctx.store.client);
    // The rows wait in the database and the lag is visible.
    const lag = await app.observability.streamLag();
    expect(lag[0]!.rows).toBeGreaterThan(0);
    const metrics = await (await fetch(`${app.adminUrl}/metrics`)).text();
    expect(metrics).toMatch(/cavaridge_audit_stream_lag_rows\{sink="syslog:127\.0\.0\.1:\d+"\} [1-9]/);

    await syslog.start(port);
    await waitFor(
      () => new Set(auditRows(syslog.records).map((r) => r.seq)).size >= head,
      45_000,
      "rows after the outage",
    );
    expect(syslog.framingErrors).toEqual([]);
    expectCompleteInOrder(syslog.records, head);
    await waitFor(async () => (await app.observability.streamLag())[0]!.rows === 0, 5_000, "lag back to 0");
  }, 90_000);

  test("while the collector withholds its acknowledgement for 5 s, 50 tool calls each complete in under 1 s", async () => {
    const http = new HttpReceiver();
    http.start();
    cleanup.push(() => http.stop());
    http.delayMs = 5_000;
    const app = await applianceWith(
      `[[audit.sinks]]\ntype = "http"\nurl = "http://127.0.0.1:${http.port}/"\nbatch_size = 5\n`,
    );
    const client = await forgeClient(app);
    const durations: number[] = [];
    for (let i = 0; i < 50; i++) {
      const started = performance.now();
      await search(client, `slow collector ${i}`);
      durations.push(performance.now() - started);
    }
    expect(Math.max(...durations)).toBeLessThan(1000);
    expect(http.headers.length).toBeGreaterThan(0); // the forwarder was indeed waiting on the collector
    http.delayMs = 0;
    await app.ctx.audit.flush();
    const head = await headSeq(app.ctx.store.client);
    await waitFor(
      () => new Set(auditRows(http.records).map((r) => r.seq)).size >= head,
      60_000,
      "rows after the slow ack",
    );
    expectCompleteInOrder(http.records, head);
  }, 120_000);
});

describe("admin Servers page", () => {
  test("shows each sink's lag to the platform admin, and nothing about the stream to an MSP admin", async () => {
    const syslog = new SyslogReceiver();
    const port = await syslog.start();
    await syslog.stop(); // a collector that is down: rows wait
    const app = await applianceWith(
      `[[audit.sinks]]\ntype = "syslog"\nname = "wazuh"\naddress = "127.0.0.1:${port}"\n`,
    );
    await app.ctx.audit.record({ kind: "system", action: "test.row", outcome: "ok" });
    const platform = await signInAdmin(app, "platform@harbor-it.example");
    const page = await (await platform.get("/servers")).text();
    expect(page).toMatch(/data-sink="wazuh"><code>wazuh<\/code>: <span class="badge danger">\d+ rows? behind/);
    const msp = await signInAdmin(app, "admin@harbor-it.example");
    expect(await (await msp.get("/servers")).text()).not.toContain("audit-stream");
  }, 60_000);
});
