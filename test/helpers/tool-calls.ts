import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { expect } from "bun:test";
import type { SurfaceName } from "../../src/config/schema";
import type { TestAppliance } from "./appliance";

/** A tool title people read: a capitalised first word, then lower-case words or acronyms, no dots or underscores. */
export const HUMAN_TITLE = /^[A-Z][a-z]*( ([a-z]+|[A-Z]{2,}))*$/;

/** What every tool test calls through: the real MCP SDK client over Streamable HTTP with a bearer token. */
export async function connectSurface(
  app: TestAppliance,
  surface: SurfaceName,
  token: string,
  name = `${surface}-tools-test`,
): Promise<Client> {
  const client = new Client({ name, version: "1.0.0" });
  await client.connect(
    new StreamableHTTPClientTransport(new URL(`${app.baseUrl}/${surface}`), {
      requestInit: { headers: { authorization: `Bearer ${token}` } },
    }),
  );
  return client;
}

export async function call(client: Client, name: string, args: Record<string, unknown>): Promise<CallToolResult> {
  return (await client.callTool({ name, arguments: args })) as CallToolResult;
}

/** The structured result of a successful call; fails the test with the tool's message otherwise. */
export function ok<T>(res: CallToolResult): T {
  if (res.isError) throw new Error(`unexpected tool error: ${JSON.stringify(res.content)}`);
  return res.structuredContent as T;
}

/** The text of an `isError` result (asserts that it is one). */
export function errorText(res: CallToolResult): string {
  expect(res.isError).toBe(true);
  return (res.content as { type: string; text: string }[]).map((c) => c.text).join(" ");
}

/** The confirmation round-trip of a destructive tool: proposal first (nothing written), then confirmed: true with its token. */
export async function confirmed<T>(
  client: Client,
  name: string,
  args: Record<string, unknown>,
): Promise<{ proposal: { summary: string; proposal: unknown }; result: T }> {
  const first = ok<{ status: string; summary: string; proposal: unknown; confirmation_token: string }>(
    await call(client, name, args),
  );
  expect(first.status).toBe("confirmation_required");
  const result = ok<T>(
    await call(client, name, { ...args, confirmed: true, confirmation_token: first.confirmation_token }),
  );
  return { proposal: first, result };
}

/** A raw tools/call with a given token, to observe the HTTP-level answer (e.g. 403 insufficient_scope). */
export async function rawToolCall(
  app: TestAppliance,
  surface: SurfaceName,
  token: string,
  name: string,
  args: Record<string, unknown>,
): Promise<Response> {
  return await fetch(`${app.baseUrl}/${surface}`, {
    method: "POST",
    headers: {
      authorization: `Bearer ${token}`,
      "content-type": "application/json",
      accept: "application/json, text/event-stream",
      "mcp-protocol-version": "2025-06-18",
    },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/call", params: { name, arguments: args } }),
  });
}
