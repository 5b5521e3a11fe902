import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import { parseConfigText } from "../../src/config/load";
import { renderInitialConfig, slugForTenant } from "../../src/ops/init";

describe("init's tenant id and config", () => {
  test("a display name becomes the slug TenantEntry.id accepts", () => {
    expect(slugForTenant("Harbor IT Services")).toBe("harbor-it-services");
    expect(slugForTenant("  Ötter & Söhne GmbH ")).toBe("otter-sohne-gmbh");
    expect(slugForTenant("!")).toBe("msp");
  });

  test("any name renders a config the loader accepts (names with quotes and backslashes included)", () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: 80 }), (name) => {
        fc.pre(name.trim().length > 0);
        const text = renderInitialConfig({
          publicUrl: "https://mcp.example.com",
          mspId: slugForTenant(name),
          mspName: name,
          adminEmail: "ops@example.com",
          passwordHash: "$argon2id$v=19$m=65536,t=2,p=1$c2FsdA$aGFzaA",
          databaseUrl: "file:./data/cavaridge.db",
          masterKeyFile: "./data/master.key",
        });
        const config = parseConfigText(text, "init.toml");
        expect(config.tenants[0]!.name).toBe(name);
        expect(config.demo.seed).toBe(false);
      }),
      { seed: 20261128, numRuns: 200 },
    );
  });
});
