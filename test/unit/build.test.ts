import { describe, expect, test } from "bun:test";
import { readFileSync, rmSync } from "node:fs";
import { join, resolve } from "node:path";
import {
  BYTECODE_ORDER_FILE,
  EMBEDDED_ADDON_REQUIRE,
  embedCompressedAddon,
  hostPlatform,
  libsqlNativePackage,
  parseCompileTarget,
  pinLibsqlNative,
} from "../../scripts/build";
import { decompressVerified, sha256Hex } from "../../src/store/embedded-addon";
import { tempDir } from "../helpers/appliance";

const ROOT = resolve(import.meta.dir, "../..");

describe("scripts/build.ts: which libSQL addon a target embeds", () => {
  test("maps Bun compile targets to libsql's prebuilt packages", () => {
    expect(libsqlNativePackage(parseCompileTarget("bun-linux-x64"))).toBe("@libsql/linux-x64-gnu");
    expect(libsqlNativePackage(parseCompileTarget("bun-linux-x64-baseline"))).toBe("@libsql/linux-x64-gnu");
    expect(libsqlNativePackage(parseCompileTarget("bun-linux-arm64-musl"))).toBe("@libsql/linux-arm64-musl");
    expect(libsqlNativePackage(parseCompileTarget("bun-linux-x64-modern-musl"))).toBe("@libsql/linux-x64-musl");
    expect(libsqlNativePackage(parseCompileTarget("bun-darwin-arm64"))).toBe("@libsql/darwin-arm64");
    expect(libsqlNativePackage(parseCompileTarget("bun-windows-x64"))).toBe("@libsql/win32-x64-msvc");
  });

  test("rejects a target it cannot map instead of building a binary without its addon", () => {
    expect(() => parseCompileTarget("linux-x64")).toThrow(/unsupported --target/);
    expect(() => parseCompileTarget("bun-linux-riscv64")).toThrow(/unsupported --target/);
  });

  test("the host platform names an installed addon package", async () => {
    const pkg = libsqlNativePackage(hostPlatform());
    expect(await Bun.file(join(ROOT, "node_modules", pkg, "index.node")).exists()).toBe(true);
  });

  // Regression: a plain --compile leaves the addon out ("Cannot find module '@libsql/linux-x64-gnu'").
  test("rewrites libsql's computed require into a literal one the bundler follows", async () => {
    const result = await Bun.build({
      entrypoints: [join(ROOT, "node_modules/libsql/index.js")],
      target: "bun",
      external: ["*.node", "@libsql/*"],
      plugins: [pinLibsqlNative('require("@libsql/linux-x64-gnu/index.node")')],
    });
    expect(result.success).toBe(true);
    const code = await result.outputs[0]!.text();
    expect(code).toContain('"@libsql/linux-x64-gnu/index.node"');
    expect(code).not.toContain("@libsql/${");
  });

  test("embeds a zstd copy of the addon with the addon's SHA-256, and requires its loader instead of the addon", async () => {
    const dir = tempDir("cavaridge-build-test-");
    try {
      const nativeFile = join(ROOT, "node_modules", libsqlNativePackage(hostPlatform()), "index.node");
      const addon = embedCompressedAddon(nativeFile, dir);
      const original = readFileSync(nativeFile);
      expect(addon).toMatchObject({ sha256: sha256Hex(original), size: original.byteLength });
      // A third of the addon or less: the point of compressing it.
      expect(addon.compressedSize).toBeLessThan(original.byteLength / 2.5);
      const compressed = readFileSync(join(dir, "index.node.zst"));
      expect(Buffer.from(decompressVerified(compressed, addon, "test")).equals(original)).toBe(true);
      expect(addon.data).toContain('with { type: "file" }');
      expect(addon.data).toContain(addon.sha256);

      const result = await Bun.build({
        entrypoints: [join(ROOT, "node_modules/libsql/index.js"), join(ROOT, "src/store/embedded-addon-data.ts")],
        target: "bun",
        outdir: join(dir, "out"),
        external: [join(ROOT, "src/store/embedded-addon.ts")],
        plugins: [pinLibsqlNative(EMBEDDED_ADDON_REQUIRE, addon.data)],
      });
      expect(result.success).toBe(true);
      const [libsql, data] = await Promise.all(
        result.outputs.filter((o) => o.kind === "entry-point").map((o) => o.text()),
      );
      expect(libsql).toContain(".loadEmbeddedAddon()");
      expect(libsql).not.toContain("@libsql/${");
      // The data module now names the embedded copy and the addon's digest instead of null.
      expect(data).toContain(addon.sha256);
      expect(data).not.toContain("= null");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("scripts/build.ts: the bytecode layout profile", () => {
  // The profile is optional for a build, so a lost or emptied file would silently give back the memory it saved.
  test("the committed profile is there and in the format Bun reads", async () => {
    const text = await Bun.file(BYTECODE_ORDER_FILE).text();
    expect(text.startsWith("v2\n")).toBe(true);
    expect(text.split("\n").filter((l) => l.startsWith("F ")).length).toBeGreaterThan(1000);
  });
});
