/**
 * Counts the SQL statements each kind of MCP request runs, by wrapping libSQL's `Statement.run`, `all` and `get` (the store
 * keeps prepared statements, so `prepare` runs only once per statement and connection; src/store/local-client.ts).
 * Prints each statement's first words.
 *
 *   npx bun bench/statements.ts
 */
import Database from "libsql";
import { startTestAppliance } from "../test/helpers/appliance";
import { obtainTokens } from "../test/helpers/oauth";

const prepared: string[] = [];
const sqlOf = new WeakMap<object, string>();
const prepare = Database.prototype.prepare;
Database.prototype.prepare = function (this: InstanceType<typeof Database>, sql: string) {
  const stmt = prepare.call(this, sql);
  sqlOf.set(stmt, sql.replace(/\s+/g, " ").slice(0, 100));
  return stmt;
} as typeof prepare;
const probe = new Database(":memory:");
const Statement = Object.getPrototypeOf(probe.prepare("SELECT 1")) as Record<
  "run" | "all" | "get",
  (...a: unknown[]) => unknown
>;
probe.close();
for (const method of ["run", "all", "get"] as const) {
  const original = Statement[method];
  Statement[method] = function (this: object, ...args: unknown[]) {
    prepared.push(sqlOf.get(this) ?? "?");
    return original.apply(this, args);
  };
}

const app = await startTestAppliance();
const { access_token } = await obtainTokens(app, { email: "admin@harbor-it.example", surface: "cavalier" });
const call = (name: string, args: object) =>
  JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/call", params: { name, arguments: args } });
const requests: [string, string][] = [
  ["read tools/call (first)", call("cavalier_list_tenants", {})],
  ["read tools/call (again)", call("cavalier_list_tenants", {})],
  [
    "write tools/call",
    call("cavalier_create_deal", { tenant_id: "contosocare", name: "x", idempotency_key: "statements-1" }),
  ],
  ["ping", JSON.stringify({ jsonrpc: "2.0", id: 1, method: "ping" })],
  ["ping (again)", JSON.stringify({ jsonrpc: "2.0", id: 1, method: "ping" })],
];
for (const [label, body] of requests) {
  prepared.length = 0;
  const res = await fetch(`${app.baseUrl}/cavalier`, {
    method: "POST",
    headers: {
      authorization: `Bearer ${access_token}`,
      "content-type": "application/json",
      accept: "application/json, text/event-stream",
    },
    body,
  });
  await res.text();
  await app.ctx.audit.flush();
  console.log(`${label} (HTTP ${res.status}): ${prepared.length} statements`);
  for (const sql of prepared) console.log(`  ${sql}`);
}
await app.close();
