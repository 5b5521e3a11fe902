import { describe, expect, test } from "bun:test";
import { parseConfigText } from "../../src/config/load";
import { startBanner, unreachableNote } from "../../src/ops/banner";
import { testConfigToml } from "../helpers/appliance";

describe("the human start banner", () => {
  test("https on 443 needs no note; http, or another port, does", () => {
    expect(unreachableNote("https://mcp.example.com/cavalier")).toBeNull();
    expect(unreachableNote("https://mcp.example.com:443/cavalier")).toBeNull();
    expect(unreachableNote("http://mcp.example.com/cavalier")).toContain("not https");
    expect(unreachableNote("http://127.0.0.1:8787/cavalier")).toContain("loopback http");
    expect(unreachableNote("https://mcp.example.com:8443/cavalier")).toContain("port 8443");
  });

  test("names every enabled surface, the admin page, and no demo sign-in or note on a production https config", () => {
    const toml = testConfigToml({ publicPort: 8787, adminPort: 8788, dbPath: "x", demoSeed: false })
      .replace('public_url = "http://127.0.0.1:8787"', 'public_url = "https://mcp.example.com"')
      .replace(/\[\[users\]\][\s\S]*?(?=\[demo\])/, "")
      .replace("[demo]", "[surfaces]\naegis = false\n\n[demo]");
    const text = startBanner(parseConfigText(toml, "t"), { adminPort: 8788 }).join("\n");
    expect(text).toContain("forge     https://mcp.example.com/forge");
    expect(text).toContain("cavalier  https://mcp.example.com/cavalier");
    expect(text).not.toContain("aegis");
    expect(text).toContain("Admin page:  http://127.0.0.1:8788/");
    expect(text).not.toContain("Demo");
    expect(text).not.toContain("Note:");
  });
});
