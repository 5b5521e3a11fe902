import { describe, expect, test } from "bun:test";
import { Server } from "@modelcontextprotocol/sdk/server/index.js";
import { ListToolsRequestSchema } from "@modelcontextprotocol/sdk/types.js";
import { DispatchTransport } from "../../../src/mcp/transport";

describe("DispatchTransport: one long-lived Server for many concurrent HTTP requests", () => {
  test("restores each caller's id, even when every caller uses the same one, and keeps answers apart", async () => {
    const server = new Server({ name: "t", version: "1" }, { capabilities: { tools: {} } });
    const seen: unknown[] = [];
    server.setRequestHandler(ListToolsRequestSchema, async (req, extra) => {
      seen.push(extra.requestId);
      await new Promise((r) => setTimeout(r, Number(req.params?.cursor ?? 0)));
      return { tools: [], nextCursor: String(req.params?.cursor) };
    });
    const transport = new DispatchTransport();
    await server.connect(transport);
    const delays = [30, 5, 15, 0];
    const replies = await Promise.all(
      delays.map((d) => transport.dispatch({ jsonrpc: "2.0", id: 1, method: "tools/list", params: { cursor: String(d) } }, {})),
    );
    expect(replies.map((r) => r.id)).toEqual([1, 1, 1, 1]);
    expect(replies.map((r) => ("result" in r ? (r.result as { nextCursor: string }).nextCursor : null))).toEqual(["30", "5", "15", "0"]);
    expect(new Set(seen).size).toBe(4);
    await server.close();
  });

  test("errors come back with the caller's id; closing answers what is still pending", async () => {
    const server = new Server({ name: "t", version: "1" }, { capabilities: { tools: {} } });
    const transport = new DispatchTransport();
    await server.connect(transport);
    server.setRequestHandler(ListToolsRequestSchema, () => new Promise(() => {}));
    const r = await transport.dispatch({ jsonrpc: "2.0", id: "abc", method: "no/such" }, {});
    expect(r.id).toBe("abc");
    expect("error" in r && r.error.code).toBe(-32601);
    const hanging = transport.dispatch({ jsonrpc: "2.0", id: 9, method: "tools/list" }, {});
    await server.close();
    const closed = await hanging;
    expect(closed.id).toBe(9);
    expect("error" in closed && closed.error.code).toBe(-32000);
  });
});
