/**
 * F1: the MCP SDK 2.x alone on this runtime — Bun.serve in front of the SDK's own `createMcpHandler` (its defaults:
 * a Server per 2026-07-28 request answered as plain JSON, and 2025 requests through its stateless legacy fallback,
 * which answers over an SSE stream), one echo tool, no auth, no store, no audit. What a request costs through the
 * SDK's stateless entry with nothing of ours in it: the ceiling of the appliance's 2026-07-28 leg, which goes through
 * the same entry, on this machine. (The appliance's 2025 leg keeps one long-lived Server and can go past it.)
 *
 *   npx bun bench/sdk-floor.ts <port>
 */
import { createMcpHandler, McpServer } from "@modelcontextprotocol/server";
import { z } from "zod";

const port = Number(process.argv[2] ?? 3001);

// Built once: a schema built in the factory would be compiled again by zod on every request, which says nothing about
// the SDK itself.
const EchoInput = z.object({ message: z.string() });

function newServer(): McpServer {
  const server = new McpServer({ name: "sdk-floor-echo", version: "1.0.0" });
  server.registerTool(
    "echo",
    { description: "Echoes the message back", inputSchema: EchoInput },
    async ({ message }) => ({ content: [{ type: "text", text: message }] }),
  );
  return server;
}

const handler = createMcpHandler(() => newServer(), { responseMode: "auto" });
Bun.serve({ hostname: "127.0.0.1", port, fetch: (request) => handler.fetch(request) });
console.log(`listening on ${port}`);
