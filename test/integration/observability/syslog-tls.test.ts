import { afterAll, expect, test } from "bun:test";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { headSeq } from "../../../src/observability/stream/store";
import { startTestAppliance, tempDir, type TestAppliance } from "../../helpers/appliance";
import { SyslogReceiver, waitFor } from "../../helpers/audit-receivers";

/**
 * Syslog over TLS (RFC 5425) with mutual authentication: the collector's certificate is checked against ca_file, and
 * the appliance presents cert_file/key_file. Certificates are made for the test with the openssl command line.
 */

const dir = tempDir();
const receiver = new SyslogReceiver();
let app: TestAppliance | null = null;

afterAll(async () => {
  await app?.close();
  await receiver.stop();
  rmSync(dir, { recursive: true, force: true });
});

function openssl(...args: string[]): void {
  const res = Bun.spawnSync(["openssl", ...args], { cwd: dir, stderr: "pipe" });
  if (res.exitCode !== 0) throw new Error(`openssl ${args[0]} failed: ${res.stderr.toString()}`);
}

function issue(name: string, subject: string, ext: string): void {
  openssl(
    "req",
    "-newkey",
    "ec",
    "-pkeyopt",
    "ec_paramgen_curve:P-256",
    "-nodes",
    "-keyout",
    `${name}.key`,
    "-subj",
    subject,
    "-out",
    `${name}.csr`,
  );
  writeFileSync(join(dir, `${name}.ext`), ext);
  openssl(
    "x509",
    "-req",
    "-in",
    `${name}.csr`,
    "-CA",
    "ca.pem",
    "-CAkey",
    "ca.key",
    "-CAcreateserial",
    "-days",
    "2",
    "-extfile",
    `${name}.ext`,
    "-out",
    `${name}.pem`,
  );
}

test("rows reach a TLS syslog collector that requires a client certificate", async () => {
  openssl(
    "req",
    "-x509",
    "-newkey",
    "ec",
    "-pkeyopt",
    "ec_paramgen_curve:P-256",
    "-nodes",
    "-keyout",
    "ca.key",
    "-subj",
    "/CN=test-ca",
    "-days",
    "2",
    "-out",
    "ca.pem",
  );
  issue("server", "/CN=127.0.0.1", "subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n");
  issue("client", "/CN=cavaridge", "extendedKeyUsage=clientAuth\n");
  const file = (f: string) => readFileSync(join(dir, f));
  const port = await receiver.start(0, {
    key: file("server.key"),
    cert: file("server.pem"),
    ca: file("ca.pem"),
    requestCert: true,
    rejectUnauthorized: true,
  });
  app = await startTestAppliance({
    env: { CAVARIDGE_DEMO_SEED: "off" },
    extraToml: `[audit]\n[[audit.sinks]]\ntype = "syslog"\naddress = "127.0.0.1:${port}"\ntls = true\nca_file = "${join(dir, "ca.pem")}"\ncert_file = "${join(dir, "client.pem")}"\nkey_file = "${join(dir, "client.key")}"\n`,
  });
  await Promise.all(
    Array.from({ length: 9 }, (_, i) =>
      app!.ctx.audit.record({ kind: "system", action: "test.tls", outcome: "ok", detail: { i } }),
    ),
  );
  const head = await headSeq(app.ctx.store.client);
  await waitFor(() => receiver.records.filter((r) => r.type === "audit").length >= head, 15_000, "rows over TLS");
  expect(receiver.framingErrors).toEqual([]);
  expect(receiver.records.filter((r) => r.type === "audit").map((r) => r.seq)).toEqual(
    Array.from({ length: head }, (_, i) => i + 1),
  );
}, 60_000);
