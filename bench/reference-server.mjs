/**
 * R2: the MCP TypeScript SDK 1.x stateless Streamable HTTP server, written the way the SDK's README publishes it
 * (https://github.com/modelcontextprotocol/typescript-sdk/tree/v1.x#without-session-management-stateless):
 * Node + express, a new McpServer and transport per POST, `sessionIdGenerator: undefined`,
 * `enableJsonResponse: true`, one echo tool. No auth, no store, no audit: the floor an MCP server on the SDK has.
 *
 *   node bench/reference-server.mjs <port>
 */
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";
import express from "express";
import { z } from "zod";

const port = Number(process.argv[2] ?? 3000);

function getServer() {
  const server = new McpServer({ name: "reference-echo", version: "1.0.0" });
  server.registerTool(
    "echo",
    { description: "Echoes the message back", inputSchema: { message: z.string() } },
    async ({ message }) => ({ content: [{ type: "text", text: message }] }),
  );
  return server;
}

const app = express();
app.use(express.json());
app.post("/mcp", async (req, res) => {
  const server = getServer();
  try {
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
    res.on("close", () => {
      transport.close();
      server.close();
    });
    await server.connect(transport);
    await transport.handleRequest(req, res, req.body);
  } catch {
    if (!res.headersSent) {
      res.status(500).json({ jsonrpc: "2.0", error: { code: -32603, message: "Internal server error" }, id: null });
    }
  }
});
app.listen(port, "127.0.0.1", () => console.log(`listening on ${port}`));
