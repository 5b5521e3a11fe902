import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { startTestAppliance, type TestAppliance } from "../../helpers/appliance";
import { accessFor, fixtureTools, serveSurface, tableAuth } from "../../helpers/mcp";

let app: TestAppliance;
let srv: ReturnType<typeof serveSurface>;

beforeAll(async () => {
  app = await startTestAppliance();
  srv = serveSurface(
    app.ctx,
    "aegis",
    fixtureTools("aegis"),
    tableAuth({
      t: accessFor("tech@harbor-it.example", "technician", "harbor-it", "aegis", ["aegis:read", "aegis:write"]),
    }),
  );
});
afterAll(async () => {
  srv?.stop();
  await app?.close();
});

async function connect() {
  const client = new Client({ name: "sdk-compat", version: "1.0.0" });
  const transport = new StreamableHTTPClientTransport(new URL(srv.url), {
    requestInit: { headers: { authorization: "Bearer t" } },
  });
  await client.connect(transport);
  return client;
}

describe("the MCP SDK client against a surface", () => {
  test("connects, lists tools, and validates structuredContent against outputSchema for plain and destructive tools", async () => {
    const client = await connect();
    expect(client.getServerVersion()?.name).toBe("cavaridge-aegis");
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name).sort()).toEqual(["fixture_read_tenant", "fixture_strict", "fixture_write_note"]);
    const read = await client.callTool({ name: "fixture_read_tenant", arguments: { tenant_id: "contosocare" } });
    expect(read.structuredContent).toEqual({ tenant_id: "contosocare", name: "ContosoCare Clinic" });
    // The envelope and the real result both satisfy the destructive tool's output schema (the SDK checks it).
    const args = { tenant_id: "contosocare", key: "sdk", text: "via sdk" };
    const proposal = await client.callTool({ name: "fixture_write_note", arguments: args });
    const env = proposal.structuredContent as { status: string; confirmation_token: string };
    expect(env.status).toBe("confirmation_required");
    const done = await client.callTool({
      name: "fixture_write_note",
      arguments: { ...args, confirmed: true, confirmation_token: env.confirmation_token },
    });
    expect(done.structuredContent).toEqual({ key: "sdk", stored: true });
    const err = await client.callTool({ name: "fixture_strict", arguments: { n: 1 } });
    expect(err.isError).toBe(true);
    await client.close();
  });
});
