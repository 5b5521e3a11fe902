import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { hostPlatform, libsqlNativePackage } from "../../../scripts/build";
import {
  type AddonDigest,
  EmbeddedAddonError,
  loadEmbeddedAddon,
  prefetchEmbeddedAddon,
  sha256Hex,
  writeVerifiedAddon,
} from "../../../src/store/embedded-addon";
import { tempDir } from "../../helpers/appliance";

const ROOT = resolve(import.meta.dir, "../../..");

/** Bytes that compress well and are not all alike, larger than one write piece. */
const PAYLOAD = new TextEncoder().encode("not really an ELF file, but bytes all the same\n".repeat(4000));
const DIGEST: AddonDigest = { sha256: sha256Hex(PAYLOAD), size: PAYLOAD.byteLength };

let parent: string;
beforeEach(() => {
  parent = tempDir("cavaridge-addon-test-");
});
afterEach(() => rmSync(parent, { recursive: true, force: true }));

function refused(fn: () => unknown): EmbeddedAddonError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(EmbeddedAddonError);
    return err as EmbeddedAddonError;
  }
  throw new Error("expected the embedded copy to be refused");
}

describe("the zstd-compressed addon of the compiled executable", () => {
  test("writes the verified bytes to a private file in a private directory", () => {
    const { dir, file } = writeVerifiedAddon(Bun.zstdCompressSync(PAYLOAD), DIGEST, "test addon", parent);
    expect(Buffer.from(readFileSync(file)).equals(Buffer.from(PAYLOAD))).toBe(true);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    expect(statSync(file).mode & 0o777).toBe(0o500);
  });

  test("refuses a corrupted compressed copy with a clear error and writes nothing", () => {
    const compressed = Bun.zstdCompressSync(PAYLOAD);
    // Flip bytes in the middle of the compressed data: zstd's own checks or the digest must catch it.
    for (const at of [Math.floor(compressed.length / 2), compressed.length - 8, 10]) {
      const damaged = Uint8Array.from(compressed);
      damaged[at] = damaged[at]! ^ 0xff;
      const err = refused(() => writeVerifiedAddon(damaged, DIGEST, "test addon", parent));
      expect(["addon_undecompressable", "addon_digest_mismatch"]).toContain(err.code);
      expect(err.message).toStartWith("test addon: the embedded copy");
      expect(err.message).toContain("the executable is damaged, reinstall it");
    }
    expect(readdirSync(parent)).toEqual([]);
  });

  test("refuses bytes that are not zstd at all", () => {
    const err = refused(() => writeVerifiedAddon(PAYLOAD, DIGEST, "test addon", parent));
    expect(err.code).toBe("addon_undecompressable");
    expect(readdirSync(parent)).toEqual([]);
  });

  test("refuses a well-formed copy of other bytes, naming both digests", () => {
    const other = PAYLOAD.slice(0, PAYLOAD.length - 1);
    const err = refused(() => writeVerifiedAddon(Bun.zstdCompressSync(other), DIGEST, "test addon", parent));
    expect(err.code).toBe("addon_digest_mismatch");
    expect(err.message).toContain(`${DIGEST.size} bytes with SHA-256 ${DIGEST.sha256}`);

    const sameSize = Uint8Array.from(PAYLOAD);
    sameSize[0] = 0;
    const err2 = refused(() => writeVerifiedAddon(Bun.zstdCompressSync(sameSize), DIGEST, "test addon", parent));
    expect(err2.message).toContain(`with SHA-256 ${sha256Hex(sameSize)}`);
    expect(readdirSync(parent)).toEqual([]);
  });

  test("loads the real libSQL addon from its compressed copy and leaves nothing behind", () => {
    const addon = readFileSync(join(ROOT, "node_modules", libsqlNativePackage(hostPlatform()), "index.node"));
    const path = join(parent, "index.node.zst");
    writeFileSync(path, Bun.zstdCompressSync(addon, { level: 3 }));
    const out = tempDir("cavaridge-addon-out-");
    try {
      const exports = loadEmbeddedAddon(
        { path, digest: { sha256: sha256Hex(addon), size: addon.byteLength } },
        out,
      ) as Record<string, unknown>;
      // What libsql's index.js destructures from its require.
      expect(typeof exports.databaseOpen).toBe("function");
      expect(typeof exports.statementRaw).toBe("function");
      expect(readdirSync(out)).toEqual([]);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });

  test("a verified copy the system cannot load is refused with the directory and the remedy, and removed", () => {
    // Verified bytes that are no shared object stand in for a directory where dlopen(3) fails (a noexec TMPDIR).
    const path = join(parent, "index.node.zst");
    writeFileSync(path, Bun.zstdCompressSync(PAYLOAD, { level: 3 }));
    const out = tempDir("cavaridge-addon-out-");
    try {
      const err = refused(() => loadEmbeddedAddon({ path, digest: DIGEST }, out));
      expect(err.code).toBe("addon_unloadable");
      expect(err.message).toContain(`could not be loaded from ${out}`);
      expect(err.message).toContain("set TMPDIR");
      expect(readdirSync(out)).toEqual([]);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });

  test("a prefetched copy is checked like any other: a damaged one is refused and nothing is written", async () => {
    const compressed = Bun.zstdCompressSync(PAYLOAD);
    const path = join(parent, "index.node.zst");
    writeFileSync(path, compressed);
    // Another payload of the same size: decompresses fine, so only the digest check can refuse it.
    const addon = { path, digest: { ...DIGEST, sha256: sha256Hex(new Uint8Array(PAYLOAD.byteLength)) } };
    prefetchEmbeddedAddon(addon);
    await Bun.sleep(50);
    const out = tempDir("cavaridge-addon-out-");
    try {
      const err = refused(() => loadEmbeddedAddon(addon, out, "test addon"));
      expect(err.code).toBe("addon_digest_mismatch");
      expect(readdirSync(out)).toEqual([]);

      writeFileSync(
        path,
        Uint8Array.from(compressed, (b, i) => (i === 10 ? b ^ 0xff : b)),
      );
      const damaged = { path, digest: DIGEST };
      prefetchEmbeddedAddon(damaged);
      await Bun.sleep(50);
      expect(["addon_undecompressable", "addon_digest_mismatch"]).toContain(
        refused(() => loadEmbeddedAddon(damaged, out, "test addon")).code,
      );
      expect(readdirSync(out)).toEqual([]);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });

  test("running from source there is no embedded copy to prefetch or load", () => {
    expect(() => prefetchEmbeddedAddon()).not.toThrow();
    expect(() => loadEmbeddedAddon()).toThrow(/no embedded copy/);
  });
});
