/**
 * Builds the single executable `dist/cavaridge` with Bun's compiler (`bun build --compile`, through the
 * Bun.build API).
 *
 *   bun scripts/build.ts                              # for this machine
 *   bun scripts/build.ts --target bun-linux-arm64     # cross build (Bun fetches that runtime from npm)
 *   bun scripts/build.ts --outfile dist/cavaridge-arm64
 *
 * Why a plugin: `node_modules/libsql/index.js` picks its native addon at run time with a computed
 * `require(\`@libsql/${target}\`)`. The bundler cannot follow a computed specifier, so a plain
 * `--compile` leaves the `.node` file out and the binary dies with "Cannot find module @libsql/linux-x64-gnu"
 * the first time it opens the store. The plugin below rewrites that one statement into a literal require the
 * bundler does follow, of src/store/embedded-addon.ts, and replaces src/store/embedded-addon-data.ts with a module that
 * embeds a zstd-compressed copy of the addon for the platform being built and the SHA-256 recorded here; at run time
 * the copy is decompressed, checked, written to a private temp file, dlopen()ed and unlinked. Embedding the `.node` file itself worked too, but Bun
 * reads every page of it on every start to extract it, and those 9.5 MiB stayed resident; the compressed copy is
 * 3.1 MiB. Windows keeps the plain embedding: a loaded DLL cannot be deleted there.
 */
import type { BunPlugin } from "bun";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative, resolve } from "node:path";
import { parseArgs } from "node:util";
import { SERVE_JSC_OPTIONS } from "../src/cli/heap-policy";
import { type AddonDigest, decompressVerified, sha256Hex } from "../src/store/embedded-addon";

const ROOT = resolve(import.meta.dir, "..");
/** The bytecode-order profile committed with the tree (hashes of functions, no source). */
export const BYTECODE_ORDER_FILE = join(ROOT, "scripts/cavaridge.order");
/** Tier-up thresholds are multiplied by this until the appliance is listening (Bun.unsafe.setJITPolicy). */
export const START_JIT_POLICY = 32;

/** The part of a Bun compile target this script cares about. */
export interface Platform {
  os: "linux" | "darwin" | "windows";
  arch: "x64" | "arm64";
  libc: "gnu" | "musl" | null;
}

/** Parses `bun-linux-x64`, `bun-linux-arm64-musl`, `bun-linux-x64-baseline-musl`, `bun-darwin-arm64`, ... */
export function parseCompileTarget(target: string): Platform {
  const m = /^bun-(linux|darwin|windows)-(x64|arm64)(?:-(?:baseline|modern))?(?:-(musl|glibc|gnu))?$/.exec(target);
  if (!m)
    throw new Error(
      `unsupported --target "${target}" (expected e.g. bun-linux-x64, bun-linux-arm64-musl, bun-darwin-arm64)`,
    );
  const os = m[1] as Platform["os"];
  const libc = os === "linux" ? (m[3] === "musl" ? "musl" : "gnu") : null;
  return { os, arch: m[2] as Platform["arch"], libc };
}

/**
 * The machine running this script. The Bun runtime that gets embedded is this very Bun, and a glibc Bun
 * cannot dlopen a musl addon (nor the reverse), so the libc of the addon must follow the running process.
 */
export function hostPlatform(): Platform {
  const os = process.platform === "win32" ? "windows" : (process.platform as Platform["os"]);
  const arch = process.arch as Platform["arch"];
  if (os !== "linux") return { os, arch, libc: null };
  // process.report names the glibc version only when the running binary is linked against glibc.
  const header = (process.report?.getReport?.() as { header?: { glibcVersionRuntime?: string } } | undefined)?.header;
  const musl =
    header?.glibcVersionRuntime === undefined &&
    existsSync(`/lib/ld-musl-${arch === "x64" ? "x86_64" : "aarch64"}.so.1`);
  return { os, arch, libc: musl ? "musl" : "gnu" };
}

/** The `@libsql/*` package holding the prebuilt addon for a platform (see libsql's optionalDependencies). */
export function libsqlNativePackage(p: Platform): string {
  if (p.os === "windows") return "@libsql/win32-x64-msvc";
  if (p.os === "darwin") return `@libsql/darwin-${p.arch}`;
  return `@libsql/linux-${p.arch}-${p.libc ?? "gnu"}`;
}

/** Matches the one computed require in libsql/index.js; asserted, so a libsql upgrade that moves it fails the build loudly. */
const COMPUTED_REQUIRE = /return\s+require\(`@libsql\/\$\{target\}`\);/;

/**
 * Rewrites libsql's computed native require into `requireExpression`, a literal require the bundler follows (and
 * embeds): `require("@libsql/<target>/index.node")` for the `.node` file itself, or a call of the loader of the
 * compressed copy; and, when given, replaces src/store/embedded-addon-data.ts with `addonData`.
 */
export function pinLibsqlNative(requireExpression: string, addonData?: string): BunPlugin {
  return {
    name: "pin-libsql-native-addon",
    setup(build) {
      build.onLoad({ filter: /[\\/]node_modules[\\/]libsql[\\/]index\.js$/ }, async (args) => {
        const source = await Bun.file(args.path).text();
        if (!COMPUTED_REQUIRE.test(source)) {
          throw new Error(
            `${args.path}: the computed require(\`@libsql/\${target}\`) was not found; update scripts/build.ts for this libsql version`,
          );
        }
        return { contents: source.replace(COMPUTED_REQUIRE, `return ${requireExpression};`), loader: "js" };
      });
      if (addonData !== undefined)
        build.onLoad({ filter: /[\\/]src[\\/]store[\\/]embedded-addon-data\.ts$/ }, () => ({
          contents: addonData,
          loader: "js",
        }));
    },
  };
}

/** The require that loads the compressed copy (src/store/embedded-addon.ts, `loadEmbeddedAddon`). */
export const EMBEDDED_ADDON_REQUIRE = `require(${JSON.stringify(join(ROOT, "src/store/embedded-addon.ts"))}).loadEmbeddedAddon()`;

/** Compression level of the embedded addon: 19 is zstd's highest without --ultra (3.1 MiB against 3.8 at 3). */
const ADDON_ZSTD_LEVEL = 19;

/** What {@link embedCompressedAddon} wrote. */
export interface CompressedAddon extends AddonDigest {
  /** The module that replaces src/store/embedded-addon-data.ts: the compressed copy, embedded, and the digest. */
  data: string;
  compressedSize: number;
}

/**
 * Writes into `dir` a zstd-compressed copy of the addon at `nativeFile`, and returns the module that names it for
 * src/store/embedded-addon.ts. The copy is decompressed here and must equal the addon byte for byte, and the
 * addon's SHA-256 and size go into the module, which the loader checks before the addon is written out and loaded:
 * what runs is what this build was given, or the executable refuses to open its store.
 */
export function embedCompressedAddon(nativeFile: string, dir: string): CompressedAddon {
  const addon = readFileSync(nativeFile);
  const digest: AddonDigest = { sha256: sha256Hex(addon), size: addon.byteLength };
  const compressed = Bun.zstdCompressSync(addon, { level: ADDON_ZSTD_LEVEL });
  const roundTrip = decompressVerified(compressed, digest, nativeFile);
  if (Buffer.compare(Buffer.from(roundTrip), addon) !== 0)
    throw new Error(`${nativeFile}: the zstd copy does not decompress to the same bytes`);
  const file = join(dir, "index.node.zst");
  writeFileSync(file, compressed);
  const data = [
    `import path from ${JSON.stringify(file)} with { type: "file" };`,
    `export const EMBEDDED_ADDON = { path, digest: ${JSON.stringify(digest)} };`,
    "",
  ].join("\n");
  return { ...digest, data, compressedSize: compressed.byteLength };
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    args: Bun.argv.slice(2),
    options: {
      target: { type: "string" },
      outfile: { type: "string" },
      "bytecode-order": { type: "string" },
      help: { type: "boolean", short: "h" },
    },
    strict: true,
  });
  if (values.help) {
    console.log(
      "usage: bun scripts/build.ts [--target bun-linux-x64|bun-linux-arm64[-musl]|bun-darwin-arm64|...] [--outfile dist/cavaridge]\n" +
        "                            [--bytecode-order FILE|none]   (default scripts/cavaridge.order)",
    );
    return 0;
  }
  const target = values.target as Bun.Build.CompileTarget | undefined;
  const platform = target ? parseCompileTarget(target) : hostPlatform();
  const nativePackage = libsqlNativePackage(platform);
  const nativeFile = join(ROOT, "node_modules", nativePackage, "index.node");
  if (!existsSync(nativeFile)) {
    console.error(
      `missing ${nativeFile}: the libSQL addon for ${platform.os}-${platform.arch}${platform.libc ? `-${platform.libc}` : ""} is not installed.\n` +
        `npm installs only the host's optional packages; fetch it with: npm install --no-save ${nativePackage}@${libsqlVersion()}`,
    );
    return 1;
  }
  const outfile = resolve(ROOT, values.outfile ?? "dist/cavaridge");
  mkdirSync(dirname(outfile), { recursive: true });

  // The committed profile is optional (a checkout without it still builds); one named on the command line is not.
  const orderArg = values["bytecode-order"];
  if (orderArg && orderArg !== "none" && !existsSync(orderArg)) {
    console.error(`--bytecode-order: ${orderArg} does not exist (record one with scripts/record-bytecode-order.ts)`);
    return 1;
  }
  const bytecodeOrder =
    orderArg === "none" ? null : (orderArg ?? (existsSync(BYTECODE_ORDER_FILE) ? BYTECODE_ORDER_FILE : null));

  const started = performance.now();
  // The compressed copy lives in a directory of this build only, so concurrent builds (the
  // binary test builds its own) cannot see each other's files.
  const addonDir = mkdtempSync(join(tmpdir(), "cavaridge-build-addon-"));
  try {
    const addon = platform.os === "windows" ? null : embedCompressedAddon(nativeFile, addonDir);
    return await compile({ target, outfile, bytecodeOrder, nativePackage, addon, started });
  } finally {
    rmSync(addonDir, { recursive: true, force: true });
  }
}

async function compile(o: {
  target: Bun.Build.CompileTarget | undefined;
  outfile: string;
  bytecodeOrder: string | null;
  nativePackage: string;
  addon: CompressedAddon | null;
  started: number;
}): Promise<number> {
  const { target, outfile, bytecodeOrder, nativePackage, addon, started } = o;
  const result = await Bun.build({
    entrypoints: [join(ROOT, "src/main.ts")],
    compile: {
      ...(target ? { target } : {}),
      outfile,
      // An appliance behaves the same whatever directory it starts in: no .env or bunfig.toml picked up from cwd.
      autoloadDotenv: false,
      autoloadBunfig: false,
      // Profile-guided bytecode layout (scripts/record-bytecode-order.ts writes the profile): the bytecode a start,
      // a sign-in and a client's first requests in both protocol eras (tools/list, a read, a write) use sits together
      // at the front, so the process touches fewer pages of its own file (about 5 MiB less RSS). Only the layout
      // changes; a profile from an older tree still applies, and functions it does not know go after the recorded ones.
      // https://bun.com/docs/bundler/executables#profile-guided-bytecode-layout
      bytecodeOrder,
      // The start runs once-only code (arktype's keyword scope, the config schema, module bodies): JavaScriptCore's
      // JIT compiled it on the second core, for more CPU than it saved, and its code stayed resident. The executable
      // starts with tier-up thresholds scaled by this factor and src/cli/serve.ts restores the normal policy once
      // both listeners are up (CPU to the first /healthz 200 340 → 190 ms, idle RSS 141 → 124 MiB; 8 saved less,
      // 128 and 1000 no more than 32).
      // https://bun.com/docs/bundler/executables#jit-policy
      jitPolicy: START_JIT_POLICY,
    },
    minify: true,
    // Precompiled JavaScriptCore bytecode beside the source: a start skips parsing the bundle (about 20% of the CPU
    // to the first /healthz 200, for 9 MiB more binary). ESM keeps main.ts's top-level await
    // (https://bun.sh/reference/bun/BuildConfig/bytecode: ESM bytecode requires compile).
    bytecode: true,
    format: "esm",
    sourcemap: "linked",
    define: { "process.env.NODE_ENV": JSON.stringify("production") },
    plugins: [
      addon
        ? pinLibsqlNative(EMBEDDED_ADDON_REQUIRE, addon.data)
        : pinLibsqlNative(`require(${JSON.stringify(`${nativePackage}/index.node`)})`),
    ],
    throw: false,
  });
  if (!result.success) {
    for (const log of result.logs) console.error(log);
    return 1;
  }
  // `serve` restarts itself with these JavaScriptCore options (src/cli/heap-policy.ts), and Bun refuses to start with
  // one it does not know: a Bun upgrade that renamed one must fail here, not at an operator's first start. A cross
  // build cannot run on this machine; its runtime is the same Bun release, checked by test/unit/cli/heap-policy.test.ts.
  if (!target) {
    const check = Bun.spawnSync([outfile, "version"], {
      env: { PATH: process.env.PATH ?? "/usr/bin:/bin", ...SERVE_JSC_OPTIONS },
      stdout: "ignore",
      stderr: "pipe",
    });
    if (check.exitCode !== 0) {
      console.error(
        `the built executable refuses the JavaScriptCore options of serve (src/cli/heap-policy.ts):\n${check.stderr.toString()}`,
      );
      return 1;
    }
  }
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  const size = (Bun.file(outfile).size / 1024 / 1024).toFixed(1);
  const order = bytecodeOrder ? `, bytecode order ${relative(ROOT, bytecodeOrder)}` : "";
  const packed = addon
    ? `, zstd ${(addon.size / 2 ** 20).toFixed(1)} → ${(addon.compressedSize / 2 ** 20).toFixed(1)} MiB, SHA-256 ${addon.sha256.slice(0, 12)}…`
    : "";
  console.log(`built ${outfile} (${size} MiB, libSQL addon ${nativePackage}${packed}${order}) in ${seconds}s`);
  return 0;
}

function libsqlVersion(): string {
  return (JSON.parse(readFileSync(join(ROOT, "node_modules/libsql/package.json"), "utf8")) as { version: string })
    .version;
}

if (import.meta.main) process.exit(await main());
