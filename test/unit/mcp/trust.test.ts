import { describe, expect, test } from "bun:test";
import { bearerTokenOf } from "../../../src/mcp/auth";
import { canonicalJson, hashArguments } from "../../../src/mcp/canonical";
import { hashTenantSet } from "../../../src/mcp/confirmation";
import { hostnameOf } from "../../../src/mcp/hostnames";
import { checkHostAndOrigin } from "../../../src/mcp/trust";

const allowed = new Set(["mcp.example.com", "alias.example.com"]);

describe("Host/Origin check (DNS rebinding)", () => {
  test("accepts the public host with or without a port, and no Origin", () => {
    expect(checkHostAndOrigin("mcp.example.com", null, allowed)).toBeNull();
    expect(checkHostAndOrigin("mcp.example.com:8443", null, allowed)).toBeNull();
    expect(checkHostAndOrigin("ALIAS.example.com", "https://mcp.example.com", allowed)).toBeNull();
  });
  test("refuses a foreign Host, a foreign Origin, an opaque Origin and garbage", () => {
    expect(checkHostAndOrigin("evil.example.com", null, allowed)).toBe("host not allowed");
    expect(checkHostAndOrigin("mcp.example.com", "https://evil.example", allowed)).toBe("origin not allowed");
    expect(checkHostAndOrigin("mcp.example.com", "null", allowed)).toBe("origin not allowed");
    expect(checkHostAndOrigin("mcp.example.com", "not a url", allowed)).toBe("origin not allowed");
    expect(checkHostAndOrigin("mcp.example.com.evil.com", null, allowed)).toBe("host not allowed");
  });
  test("hostnameOf handles IPv6 literals", () => {
    expect(hostnameOf("[::1]:8787")).toBe("[::1]");
    expect(hostnameOf("127.0.0.1:80")).toBe("127.0.0.1");
    expect(checkHostAndOrigin("[::1]:1", "http://[::1]:6274", new Set(["[::1]"]))).toBeNull();
  });
});

describe("bearer token extraction", () => {
  test("only the Authorization header's Bearer credential counts", () => {
    expect(bearerTokenOf("Bearer abc.def-ghi_~+/=")).toBe("abc.def-ghi_~+/=");
    expect(bearerTokenOf("bearer abc")).toBe("abc");
    expect(bearerTokenOf("Basic abc")).toBeNull();
    expect(bearerTokenOf("Bearer ")).toBeNull();
    expect(bearerTokenOf("Bearer a b")).toBeNull();
    expect(bearerTokenOf(null)).toBeNull();
  });
});

describe("confirmation binding hashes", () => {
  test("argument order does not matter; values, nesting and undefined members are canonical", () => {
    expect(canonicalJson({ b: 1, a: { d: [2, 1], c: undefined } })).toBe('{"a":{"d":[2,1]},"b":1}');
    expect(hashArguments({ a: 1, b: [{ y: 1, x: 2 }] })).toBe(hashArguments({ b: [{ x: 2, y: 1 }], a: 1 }));
    expect(hashArguments({ a: 1 })).not.toBe(hashArguments({ a: 2 }));
    expect(hashArguments({ lines: [1, 2] })).not.toBe(hashArguments({ lines: [2, 1] }));
  });
  test("tenant set hash is order-independent and changes with the set", () => {
    expect(hashTenantSet(["b", "a"])).toBe(hashTenantSet(["a", "b"]));
    expect(hashTenantSet(["a"])).not.toBe(hashTenantSet(["a", "b"]));
  });
});
