import { describe, expect, test } from "bun:test";
import { PROTOCOL_VERSION_META_KEY, SUPPORTED_PROTOCOL_VERSIONS } from "@modelcontextprotocol/server";
import fc from "fast-check";
import { carriesVersionClaim, classifyBody, classifyWithSdk } from "../../../src/mcp/http-edge";
import { MODERN_PROTOCOL_VERSION } from "../../../src/mcp/surface";

/**
 * `classifyBody` routes a request without any 2026-07-28 claim to the legacy era without running the SDK's
 * classifier. These tests hold the shortcut to the SDK's own verdict, so an SDK whose ladder changes fails here.
 */

const ENVELOPE = {
  [PROTOCOL_VERSION_META_KEY]: MODERN_PROTOCOL_VERSION,
  "io.modelcontextprotocol/clientInfo": { name: "t", version: "1" },
  "io.modelcontextprotocol/clientCapabilities": {},
};

function post(body: Record<string, unknown>, headers: Record<string, string | undefined>): Request {
  const h: Record<string, string> = { "content-type": "application/json" };
  for (const [k, v] of Object.entries(headers)) if (v !== undefined) h[k] = v;
  return new Request("http://127.0.0.1/cavalier", { method: "POST", headers: h, body: JSON.stringify(body) });
}

const anyJson = fc.jsonValue({ maxDepth: 2 });
const method = fc.oneof(
  fc.constantFrom("ping", "tools/call", "tools/list", "initialize", "server/discover", "notifications/initialized"),
  fc.string({ maxLength: 12 }),
);
const id = fc.oneof(fc.constant(undefined), fc.integer(), fc.string({ maxLength: 6 }), fc.double(), anyJson);
const meta = fc.oneof(
  fc.constant(undefined),
  fc.constant(ENVELOPE),
  fc.constant({ progressToken: 1 }),
  fc.record({ [PROTOCOL_VERSION_META_KEY]: fc.oneof(fc.constantFrom(...SUPPORTED_PROTOCOL_VERSIONS), anyJson) }),
  anyJson,
);
const params = fc.oneof(
  fc.constant(undefined),
  fc.record({ _meta: meta, name: fc.constantFrom("echo", "cavalier_list_tenants") }, { requiredKeys: [] }),
  anyJson,
);
const versionHeader = fc.oneof(
  fc.constant(undefined),
  fc.constantFrom(...SUPPORTED_PROTOCOL_VERSIONS, MODERN_PROTOCOL_VERSION, "2099-01-01", " 2025-06-18", "nonsense"),
);
const body = fc
  .record(
    {
      method,
      id,
      params,
      result: fc.oneof(fc.constant(undefined), anyJson),
      error: fc.oneof(fc.constant(undefined), fc.record({ code: fc.integer(), message: fc.string({ maxLength: 8 }) })),
    },
    { requiredKeys: [] },
  )
  .map((fields) => {
    const out: Record<string, unknown> = { jsonrpc: "2.0" };
    for (const [k, v] of Object.entries(fields)) if (v !== undefined) out[k] = v;
    return out;
  });
const headers = fc.record({
  "mcp-protocol-version": versionHeader,
  "mcp-method": fc.oneof(fc.constant(undefined), method),
  "mcp-name": fc.oneof(fc.constant(undefined), fc.constantFrom("echo", "other")),
});

describe("era classification", () => {
  test("the shortcut agrees with the SDK's classifier on every generated request", () => {
    let shortcut = 0;
    fc.assert(
      fc.property(body, headers, (b, h) => {
        // What readMessage hands on: the body as JSON text would carry it.
        const parsed = JSON.parse(JSON.stringify(b)) as Record<string, unknown>;
        const request = post(parsed, h);
        const header = h["mcp-protocol-version"];
        const noClaim =
          (header === undefined || SUPPORTED_PROTOCOL_VERSIONS.includes(header)) && !carriesVersionClaim(parsed.params);
        if (noClaim) shortcut++;
        const sdk = classifyWithSdk(request, parsed);
        const ours = classifyBody(request, parsed);
        if (noClaim) expect(sdk.kind).toBe("legacy");
        expect(ours.kind).toBe(sdk.kind);
        if (ours.kind !== "legacy") expect(ours as unknown).toEqual(sdk);
      }),
      { seed: 2026_07_28, numRuns: 2000 },
    );
    // Both branches were exercised, so the comparison above was not vacuous.
    expect(shortcut).toBeGreaterThan(300);
    expect(shortcut).toBeLessThan(1900);
  });

  test("a claim in the body or a modern header still goes through the SDK's ladder", () => {
    const claimed = { jsonrpc: "2.0", id: 1, method: "ping", params: { _meta: ENVELOPE } };
    const modern = classifyBody(
      post(claimed, { "mcp-protocol-version": MODERN_PROTOCOL_VERSION, "mcp-method": "ping" }),
      claimed,
    );
    expect(modern.kind).toBe("modern");
    // The header names the modern revision but the body carries no envelope: the SDK's envelope rejection.
    const bare = { jsonrpc: "2.0", id: 1, method: "ping" };
    const refused = classifyBody(post(bare, { "mcp-protocol-version": MODERN_PROTOCOL_VERSION }), bare);
    expect(refused.kind).toBe("reject");
    // A malformed shape is routed to the legacy era, where the shape guard refuses it after the token.
    const malformed = { jsonrpc: "2.0", id: { not: "an id" }, method: "ping", extra: true };
    expect(classifyWithSdk(post(malformed, {}), malformed).kind).toBe("legacy");
    expect(classifyBody(post(bare, { "mcp-protocol-version": "2025-06-18" }), bare).kind).toBe("legacy");
  });
});
