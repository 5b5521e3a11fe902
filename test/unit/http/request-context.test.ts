import { describe, expect, test } from "bun:test";
import type { Server } from "bun";
import { clientIpFor, requestIdFor } from "../../../src/http/request-context";

const socket = (address: string) =>
  ({ requestIP: () => ({ address, family: "IPv4", port: 1 }) }) as unknown as Server<unknown>;
const req = (headers: Record<string, string> = {}) => new Request("http://127.0.0.1/x", { headers });

describe("client address (docs/mcp-client-compat.md H5: throttling keyed on the real client)", () => {
  test("without trusted proxies, X-Forwarded-For is ignored: a spoofed header cannot change the bucket", () => {
    expect(clientIpFor(req({ "x-forwarded-for": "1.2.3.4" }), socket("10.0.0.9"), 0)).toBe("10.0.0.9");
  });

  test("with one trusted proxy, the address that proxy appended is used, not what the client claimed", () => {
    // The client sent "6.6.6.6" itself; our proxy appended the real peer 203.0.113.7.
    expect(clientIpFor(req({ "x-forwarded-for": "6.6.6.6, 203.0.113.7" }), socket("10.0.0.2"), 1)).toBe("203.0.113.7");
  });

  test("with two trusted proxies, the second hop from the right", () => {
    expect(clientIpFor(req({ "x-forwarded-for": "6.6.6.6, 198.51.100.4, 10.0.0.3" }), socket("10.0.0.2"), 2)).toBe(
      "198.51.100.4",
    );
  });

  test("a missing header falls back to the socket address", () => {
    expect(clientIpFor(req(), socket("10.0.0.2"), 1)).toBe("10.0.0.2");
  });
});

describe("request id", () => {
  test("keeps a sane caller id, replaces a hostile one", () => {
    expect(requestIdFor(req({ "x-request-id": "abc-12345678" }))).toBe("abc-12345678");
    expect(requestIdFor(req({ "x-request-id": "<script>alert(1)</script>" }))).toMatch(/^req_/);
    expect(requestIdFor(req())).toMatch(/^req_/);
  });
});
