/**
 * Loads the libSQL native addon that the compiled executable carries zstd-compressed (scripts/build.ts).
 *
 * Why: Bun extracts a `.node` file embedded in an executable to a temp file on every start, and reading it for that
 * leaves every page of the embedded copy (9.5 MiB) resident for the life of the process. The compressed copy is a
 * third of that. Running from source never comes here: libsql's own `require` loads the addon from node_modules.
 *
 * Integrity: the build decompresses what it embeds and compares it byte for byte with the addon it was given, then
 * embeds the SHA-256 and size of the addon beside the compressed copy. Here the decompressed bytes are checked
 * against both before anything is written, and written into a directory only this user can enter (mkdtemp(3): 0700),
 * as a file only this user can read (0500), created exclusively (`O_EXCL`), so nothing else can swap it between the
 * check and dlopen(3). Once loaded, the file is unlinked: the mapping stays valid after the name is gone
 * (https://man7.org/linux/man-pages/man2/unlink.2.html), so nothing is left behind in the temp directory.
 *
 * Start time: decompressing 9.3 MiB takes 15-25 ms. `serve` starts it on the runtime's thread pool first thing
 * ({@link prefetchEmbeddedAddon}, `Bun.zstdDecompress`), while the main thread loads arktype and the config, and waits
 * for it ({@link embeddedAddonSettled}) before it loads the store's modules, which require libsql; the load takes the
 * prefetched bytes (or decompresses them itself if there are none). The digest is checked on the bytes either way.
 */
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { EMBEDDED_ADDON } from "./embedded-addon-data";

/**
 * The addon is written in pieces of this size. The page cache sizes a file's folios by the writes that fill it
 * (large folios, Linux 6.x on ext4, XFS, tmpfs), and a page fault in a mapping of the file maps the whole folio: written
 * in one 9 MiB write, 8.6 MiB of the addon became resident once loaded, against 5.2 MiB written in 64 KiB pieces,
 * which is also what the kernel maps around a fault anyway (`fault_around_bytes`).
 */
const WRITE_CHUNK = 64 * 1024;

/** What the build recorded about the addon before compressing it. */
export interface AddonDigest {
  /** SHA-256 of the uncompressed addon, lowercase hex. */
  sha256: string;
  /** Its size in bytes. */
  size: number;
}

/** An addon carried compressed: the path of the zstd copy (a file embedded in the executable) and its digest. */
export interface EmbeddedAddon {
  path: string;
  digest: AddonDigest;
}

export type EmbeddedAddonErrorCode = "addon_undecompressable" | "addon_digest_mismatch" | "addon_unloadable";

/**
 * The embedded copy cannot be trusted (the executable is damaged: reinstalling it is the remedy), or the verified
 * addon could not be loaded from where it was written (the message names the directory and the remedy).
 */
export class EmbeddedAddonError extends Error {
  override readonly name = "EmbeddedAddonError";
  constructor(
    readonly code: EmbeddedAddonErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/** SHA-256 of some bytes, lowercase hex. */
export function sha256Hex(bytes: Uint8Array): string {
  return new Bun.CryptoHasher("sha256").update(bytes).digest("hex");
}

/**
 * Decompresses a zstd copy of an addon and checks it against its digest. Does not write anything.
 * @throws EmbeddedAddonError when the input is not zstd, or decompresses to other bytes than the digest names
 */
export function decompressVerified(compressed: Uint8Array, digest: AddonDigest, what: string): Uint8Array {
  let bytes: Uint8Array;
  try {
    bytes = Bun.zstdDecompressSync(compressed);
  } catch (err) {
    throw new EmbeddedAddonError(
      "addon_undecompressable",
      `${what}: the embedded copy does not decompress (${(err as Error).message}); the executable is damaged, reinstall it`,
    );
  }
  return verified(bytes, digest, what);
}

/** `bytes` if they are the addon the digest names. @throws EmbeddedAddonError otherwise */
function verified(bytes: Uint8Array, digest: AddonDigest, what: string): Uint8Array {
  const actual = bytes.byteLength === digest.size ? sha256Hex(bytes) : null;
  if (actual !== digest.sha256) {
    throw new EmbeddedAddonError(
      "addon_digest_mismatch",
      `${what}: the embedded copy decompresses to ${bytes.byteLength} bytes${actual ? ` with SHA-256 ${actual}` : ""}, ` +
        `not the ${digest.size} bytes with SHA-256 ${digest.sha256} the build recorded; the executable is damaged, reinstall it`,
    );
  }
  return bytes;
}

/**
 * Decompresses and checks the addon (see {@link decompressVerified}), then writes it to a fresh private directory
 * under `parent`. The caller loads it and removes the directory.
 */
export function writeVerifiedAddon(
  compressed: Uint8Array,
  digest: AddonDigest,
  what: string,
  parent: string = tmpdir(),
): { dir: string; file: string } {
  return writePrivate(decompressVerified(compressed, digest, what), parent);
}

function writePrivate(bytes: Uint8Array, parent: string): { dir: string; file: string } {
  const dir = mkdtempSync(join(parent, "cavaridge-addon-"));
  const file = join(dir, "index.node");
  try {
    const fd = openSync(file, "wx", 0o500);
    try {
      for (let at = 0; at < bytes.byteLength; at += WRITE_CHUNK)
        writeSync(fd, bytes, at, Math.min(WRITE_CHUNK, bytes.byteLength - at));
    } finally {
      closeSync(fd);
    }
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  return { dir, file };
}

const prefetched = new WeakMap<EmbeddedAddon, Promise<Uint8Array>>();

/**
 * Starts decompressing the embedded addon on the runtime's thread pool, for {@link loadEmbeddedAddon} to pick up.
 * Does nothing when running from source. A failure here is not reported: the load decompresses again and says why.
 */
export function prefetchEmbeddedAddon(addon: EmbeddedAddon | null = EMBEDDED_ADDON): void {
  if (!addon || prefetched.has(addon)) return;
  let pending: Promise<Uint8Array>;
  try {
    pending = Bun.zstdDecompress(readFileSync(addon.path));
  } catch {
    return;
  }
  pending.catch(() => undefined);
  prefetched.set(addon, pending);
}

/**
 * Settles once a prefetch of the addon has (at once when there is none). The thread pool hands its result to the main
 * thread through the event loop, which does not turn while modules load, so a prefetch left to itself would still
 * read as pending when libsql asks for the addon, and the work would be done twice.
 */
export function embeddedAddonSettled(addon: EmbeddedAddon | null = EMBEDDED_ADDON): Promise<void> {
  const pending = addon ? prefetched.get(addon) : undefined;
  return pending
    ? pending.then(
        () => undefined,
        () => undefined,
      )
    : Promise.resolve();
}

/**
 * Verifies the embedded addon, loads it with dlopen(3) and returns its exports: what `require()` of the `.node` file
 * itself would return. Takes the prefetched bytes when they are ready, else decompresses them here.
 * @throws EmbeddedAddonError when the embedded copy is damaged
 */
export function loadEmbeddedAddon(
  addon: EmbeddedAddon | null = EMBEDDED_ADDON,
  parent: string = tmpdir(),
  what = "libSQL native addon",
): unknown {
  if (!addon) throw new Error(`${what}: this build carries no embedded copy`);
  const pending = prefetched.get(addon);
  prefetched.delete(addon);
  const bytes =
    pending && Bun.peek.status(pending) === "fulfilled"
      ? verified(Bun.peek(pending) as Uint8Array, addon.digest, what)
      : decompressVerified(readFileSync(addon.path), addon.digest, what);
  const { dir, file } = writePrivate(bytes, parent);
  try {
    const module = { exports: {} as unknown };
    try {
      process.dlopen(module, file);
    } catch (err) {
      // The bytes are the build's (checked above), so a refusal here is about the place: most often a temp
      // directory on a filesystem mounted noexec, where mmap(2) refuses PROT_EXEC (a common hardening of /tmp).
      throw new EmbeddedAddonError(
        "addon_unloadable",
        `${what}: could not be loaded from ${parent} (${(err as Error).message}); if that directory is on a ` +
          "filesystem mounted noexec, set TMPDIR to a directory that allows executables, such as the data directory",
      );
    }
    return module.exports;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
