import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { ConfigError, parseConfigText } from "../../../src/config/load";
import type { Config } from "../../../src/config/schema";
import type { OAuthError } from "../../../src/oauth/errors";
import {
  parseResource,
  pathResourceUrl,
  protectedResourceMetadataUrl,
  resolveTarget,
  resourceUrl,
  surfaceOfAudience,
  surfaceOfHost,
} from "../../../src/oauth/resource";

/** server.surface_urls (one hostname per surface, docs/mcp-client-compat.md §5.2): validation and the pure resource rules. */

const text = (surfaceUrls: string, extra = "") => `
[server]
public_url = "https://mcp.example.com/"
allowed_hosts = ["alias.example.com"]
${extra}
[server.surface_urls]
${surfaceUrls}

[surfaces]
aegis = false

[[tenants]]
id = "acme-msp"
name = "Acme MSP"
kind = "msp"
`;

function problems(t: string): { path: string; message: string }[] {
  try {
    parseConfigText(t, "test.toml");
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  return [];
}

const code = (fn: () => unknown) => {
  try {
    fn();
    return null;
  } catch (err) {
    return (err as OAuthError).code;
  }
};

describe("server.surface_urls validation", () => {
  test("absent by default: the parsed config has no such key (default behaviour unchanged)", () => {
    const c = parseConfigText(
      readFileSync(join(import.meta.dir, "../../../config.example.toml"), "utf8"),
      "config.example.toml",
    );
    expect("surface_urls" in c.server).toBe(false);
    expect(resourceUrl(c, "cavalier")).toBe(`${c.server.public_url}/cavalier`);
  });

  test("valid origins are normalized: lower-case host, default port and trailing slash dropped", () => {
    const c = parseConfigText(
      text(`cavalier = "https://Cavalier.Example.com:443/"\nforge = "https://forge.example.com"`),
      "t.toml",
    );
    expect(c.server.surface_urls).toEqual({
      cavalier: "https://cavalier.example.com",
      forge: "https://forge.example.com",
    });
    expect(c.server.public_url).toBe("https://mcp.example.com");
  });

  test("http is accepted only for loopback names (tests), including *.localhost", () => {
    expect(problems(text(`cavalier = "http://cavalier.localhost:8787"`))).toEqual([]);
    expect(problems(text(`cavalier = "http://127.0.0.2:8787"`))).toEqual([]);
    expect(problems(text(`cavalier = "http://cavalier.example.com"`))).toEqual([
      { path: "server.surface_urls.cavalier", message: "must be an https URL (http only for a loopback host)" },
    ]);
  });

  test("path, query, fragment, credentials, non-URLs and unknown surfaces are named by key path", () => {
    expect(problems(text(`cavalier = "https://cavalier.example.com/mcp"`))).toEqual([
      {
        path: "server.surface_urls.cavalier",
        message: "must have no path (the MCP endpoint is https://cavalier.example.com/mcp)",
      },
    ]);
    expect(problems(text(`cavalier = "https://cavalier.example.com/?x=1"`)).map((p) => p.path)).toEqual([
      "server.surface_urls.cavalier",
    ]);
    expect(problems(text(`cavalier = "https://cavalier.example.com/#top"`)).map((p) => p.path)).toEqual([
      "server.surface_urls.cavalier",
    ]);
    expect(problems(text(`cavalier = "https://u:p@cavalier.example.com"`)).map((p) => p.path)).toEqual([
      "server.surface_urls.cavalier",
    ]);
    expect(problems(text(`cavalier = "cavalier.example.com"`)).map((p) => p.path)).toEqual([
      "server.surface_urls.cavalier",
    ]);
    expect(problems(text(`payroll = "https://payroll.example.com"`)).map((p) => p.path)).toEqual([
      "server.surface_urls.payroll",
    ]);
  });

  // Regression (review of the surface_urls change): with a loopback public_url, a surface on "localhost" passed the
  // check although every path endpoint also answers to localhost, so another surface's token reached it there.
  test("with a loopback public_url, a surface may not take a loopback name the path endpoints already answer to", () => {
    const loopback = (urls: string) =>
      text(urls).replace('public_url = "https://mcp.example.com/"', 'public_url = "http://127.0.0.1:8787"');
    for (const name of ["localhost", "127.0.0.1", "[::1]"]) {
      expect(problems(loopback(`cavalier = "http://${name}:8787"`)).map((p) => p.path)).toContain(
        "server.surface_urls.cavalier",
      );
    }
    expect(problems(loopback(`cavalier = "http://cavalier.localhost:8787"`))).toEqual([]);
  });

  test("hosts must differ from public_url's, from each other's (ports do not count) and from allowed_hosts", () => {
    expect(problems(text(`cavalier = "https://mcp.example.com:8443"`))).toEqual([
      {
        path: "server.surface_urls.cavalier",
        message: `host "mcp.example.com" is server.public_url's host; a surface needs a hostname of its own`,
      },
    ]);
    expect(
      problems(text(`forge = "https://shared.example.com"\ncavalier = "https://shared.example.com:8443"`)),
    ).toEqual([
      {
        path: "server.surface_urls.cavalier",
        message: `host "shared.example.com" is already used by server.surface_urls.forge`,
      },
    ]);
    expect(problems(text(`cavalier = "https://alias.example.com"`))).toEqual([
      {
        path: "server.surface_urls.cavalier",
        message: `host "alias.example.com" is also in server.allowed_hosts, which every surface accepts; remove it there`,
      },
    ]);
  });

  test("cross-checks are reported together with schema problems elsewhere", () => {
    const found = problems(text(`cavalier = "https://mcp.example.com"`, `trusted_proxies = 99`)).map((p) => p.path);
    expect(found).toContain("server.trusted_proxies");
    expect(found).toContain("server.surface_urls.cavalier");
  });
});

describe("resources with a surface hostname", () => {
  const c: Config = parseConfigText(
    text(`cavalier = "https://cavalier.example.com"\naegis = "https://aegis.example.com"`),
    "t.toml",
  );

  test("the canonical resource and PRM move to the surface host; the path resource stays", () => {
    expect(resourceUrl(c, "cavalier")).toBe("https://cavalier.example.com/mcp");
    expect(protectedResourceMetadataUrl(c, "cavalier")).toBe(
      "https://cavalier.example.com/.well-known/oauth-protected-resource/mcp",
    );
    expect(pathResourceUrl(c, "cavalier")).toBe("https://mcp.example.com/cavalier");
    expect(resourceUrl(c, "forge")).toBe("https://mcp.example.com/forge");
  });

  test("parseResource: the surface host's /mcp and bare origin name that surface; case and trailing slash tolerated", () => {
    for (const r of [
      "https://cavalier.example.com/mcp",
      "HTTPS://CAVALIER.EXAMPLE.COM/mcp",
      "https://cavalier.example.com:443/mcp/",
      "https://cavalier.example.com",
      "https://cavalier.example.com/",
    ]) {
      expect({ r, p: parseResource(c, r) }).toEqual({ r, p: { kind: "surface", surface: "cavalier", via: "host" } });
    }
    expect(parseResource(c, "https://mcp.example.com/cavalier")).toEqual({ kind: "surface", surface: "cavalier" });
    expect(parseResource(c, "https://mcp.example.com")).toEqual({ kind: "origin" });
    for (const r of [
      "https://cavalier.example.com/cavalier",
      "https://cavalier.example.com/mcp/x",
      "https://cavalier.example.com/mcp?x",
      "http://cavalier.example.com/mcp",
      "https://aegis.example.com/mcp",
    ]) {
      expect({ r, c: code(() => parseResource(c, r)) }).toEqual({ r, c: "invalid_target" });
    }
  });

  test("resolveTarget binds the grant to the resource named; public origin -> path; absent -> canonical", () => {
    expect(resolveTarget(c, "https://cavalier.example.com/mcp", [])).toEqual({
      surface: "cavalier",
      resource: "https://cavalier.example.com/mcp",
    });
    expect(resolveTarget(c, "https://cavalier.example.com", ["forge:read"])).toEqual({
      surface: "cavalier",
      resource: "https://cavalier.example.com/mcp",
    });
    expect(resolveTarget(c, "https://mcp.example.com/cavalier/mcp", [])).toEqual({
      surface: "cavalier",
      resource: "https://mcp.example.com/cavalier",
    });
    expect(resolveTarget(c, "https://mcp.example.com", ["cavalier:read"])).toEqual({
      surface: "cavalier",
      resource: "https://mcp.example.com/cavalier",
    });
    expect(resolveTarget(c, null, ["cavalier:read"])).toEqual({
      surface: "cavalier",
      resource: "https://cavalier.example.com/mcp",
    });
  });

  test("surfaceOfHost routes by host name only, enabled surfaces only; surfaceOfAudience knows both resources", () => {
    expect(surfaceOfHost(c, "cavalier.example.com")).toBe("cavalier");
    expect(surfaceOfHost(c, "Cavalier.Example.com:8443")).toBe("cavalier");
    expect(surfaceOfHost(c, "aegis.example.com")).toBeNull();
    expect(surfaceOfHost(c, "mcp.example.com")).toBeNull();
    expect(surfaceOfHost(c, null)).toBeNull();
    expect(surfaceOfAudience(c, "https://cavalier.example.com/mcp")).toEqual({
      surface: "cavalier",
      resource: "https://cavalier.example.com/mcp",
    });
    expect(surfaceOfAudience(c, "https://mcp.example.com/cavalier")).toEqual({
      surface: "cavalier",
      resource: "https://mcp.example.com/cavalier",
    });
    expect(surfaceOfAudience(c, "https://cavalier.example.com")).toBeNull();
  });
});
