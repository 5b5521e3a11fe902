import { Client, type ElicitResult, StreamableHTTPClientTransport } from "@modelcontextprotocol/client";
import type { SurfaceName } from "../../src/config/schema";
import type { TestAppliance } from "./appliance";

/** How the 2.x client negotiates: pinned to the current revision, or probing with server/discover first. */
export type ModernMode = { pin: "2026-07-28" } | "auto";

/** What the person answers to a confirmation form; `calls` counts how often they were asked. */
export interface ElicitationAnswers {
  answer: ElicitResult;
  asked: { message: string; requestedSchema: unknown }[];
}

/** Every JSON-RPC body the client POSTed, in order (to replay a retry's `requestState` by hand). */
export type SentBodies = Record<string, unknown>[];

/**
 * The SDK's 2.x client on a surface with a bearer token, declaring form elicitation and answering every
 * confirmation form with `answers.answer`. With `{ pin: "2026-07-28" }` it speaks only the current revision; with
 * "auto" it probes server/discover first and falls back to initialize if the server offers no modern revision.
 */
export async function connectModern(
  app: TestAppliance,
  surface: SurfaceName,
  token: string,
  mode: ModernMode,
  answers: ElicitationAnswers,
  sent: SentBodies = [],
): Promise<Client> {
  const client = new Client(
    { name: `modern-${surface}`, version: "2.4.0" },
    { capabilities: { elicitation: { form: {} } }, versionNegotiation: { mode } },
  );
  client.setRequestHandler("elicitation/create", async (request) => {
    const params = request.params as { message: string; requestedSchema?: unknown };
    answers.asked.push({ message: params.message, requestedSchema: params.requestedSchema });
    return answers.answer;
  });
  const recording = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    if (typeof init?.body === "string") sent.push(JSON.parse(init.body) as Record<string, unknown>);
    return await fetch(input, init);
  };
  await client.connect(
    new StreamableHTTPClientTransport(new URL(`${app.baseUrl}/${surface}`), {
      requestInit: { headers: { authorization: `Bearer ${token}` } },
      fetch: recording,
    }),
  );
  return client;
}

/** POSTs one JSON-RPC body as a 2026-07-28 client would (the headers the revision defines), with a fresh id. */
export async function postModern(
  app: TestAppliance,
  surface: SurfaceName,
  token: string,
  body: Record<string, unknown>,
): Promise<{ status: number; json: Record<string, unknown> }> {
  const params = (body.params ?? {}) as { name?: string };
  const res = await fetch(`${app.baseUrl}/${surface}`, {
    method: "POST",
    headers: {
      authorization: `Bearer ${token}`,
      "content-type": "application/json",
      accept: "application/json, text/event-stream",
      "mcp-protocol-version": "2026-07-28",
      "mcp-method": String(body.method),
      ...(params.name ? { "mcp-name": params.name } : {}),
    },
    body: JSON.stringify({ ...body, id: `replay-${crypto.randomUUID()}` }),
  });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}
