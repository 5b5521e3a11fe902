import { describe, expect, test } from "bun:test";
import { type JSONRPCRequest, Server } from "@modelcontextprotocol/server";
import { DispatchTransport, UNANSWERED_CODE, UNANSWERED_MESSAGE } from "../../../src/mcp/transport";

describe("DispatchTransport: one long-lived Server for many concurrent HTTP requests", () => {
  test("restores each caller's id, even when every caller uses the same one, and keeps answers apart", async () => {
    const server = new Server({ name: "t", version: "1" }, { capabilities: { tools: {} } });
    const seen: unknown[] = [];
    server.setRequestHandler("tools/list", async (req, ctx) => {
      seen.push(ctx.mcpReq.id);
      await new Promise((r) => setTimeout(r, Number(req.params?.cursor ?? 0)));
      return { tools: [], nextCursor: String(req.params?.cursor) };
    });
    const transport = new DispatchTransport();
    await server.connect(transport);
    const delays = [30, 5, 15, 0];
    const replies = await Promise.all(
      delays.map((d) =>
        transport.dispatch({ jsonrpc: "2.0", id: 1, method: "tools/list", params: { cursor: String(d) } }, {}),
      ),
    );
    expect(replies.map((r) => r.id)).toEqual([1, 1, 1, 1]);
    expect(replies.map((r) => ("result" in r ? (r.result as { nextCursor: string }).nextCursor : null))).toEqual([
      "30",
      "5",
      "15",
      "0",
    ]);
    expect(new Set(seen).size).toBe(4);
    await server.close();
  });

  test("errors come back with the caller's id; closing answers what is still pending", async () => {
    const server = new Server({ name: "t", version: "1" }, { capabilities: { tools: {} } });
    const transport = new DispatchTransport();
    await server.connect(transport);
    server.setRequestHandler("tools/list", () => new Promise(() => {}));
    const r = await transport.dispatch({ jsonrpc: "2.0", id: "abc", method: "no/such" }, {});
    expect(r.id).toBe("abc");
    expect("error" in r && r.error.code).toBe(-32601);
    const hanging = transport.dispatch({ jsonrpc: "2.0", id: 9, method: "tools/list" }, {});
    await server.close();
    const closed = await hanging;
    expect(closed.id).toBe(9);
    expect("error" in closed && closed.error.code).toBe(-32000);
  });

  test("bug: a request the SDK cannot classify (params: 5) hung forever; the transport now answers it with an internal error", async () => {
    const server = new Server({ name: "t", version: "1" }, { capabilities: { tools: {} } });
    const transport = new DispatchTransport();
    server.onerror = (err) => transport.serverError(err);
    await server.connect(transport);
    const bad = { jsonrpc: "2.0", id: 5, method: "ping", params: 5 } as unknown as JSONRPCRequest;
    const r = await Promise.race([
      transport.dispatch(bad, {}),
      new Promise<"hung">((res) => setTimeout(() => res("hung"), 1000)),
    ]);
    expect(r).not.toBe("hung");
    expect(r !== "hung" && r.id).toBe(5);
    expect(r !== "hung" && "error" in r && r.error.code).toBe(UNANSWERED_CODE);
    expect(transport.pendingCount).toBe(0);
    await server.close();
  });

  test("bug: nothing may stay pending forever: the sweep answers a request older than the timeout", async () => {
    const server = new Server({ name: "t", version: "1" }, { capabilities: { tools: {} } });
    const transport = new DispatchTransport(50);
    await server.connect(transport);
    server.setRequestHandler("tools/list", () => new Promise(() => {}));
    const r = await transport.dispatch({ jsonrpc: "2.0", id: "slow", method: "tools/list" }, {});
    expect(r.id).toBe("slow");
    expect("error" in r && r.error.message).toBe(UNANSWERED_MESSAGE);
    expect(transport.pendingCount).toBe(0);
    await server.close();
  });
});
