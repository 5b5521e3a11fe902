import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative, sep } from "node:path";
import { userInfo } from "node:os";
import { AuditLog } from "../audit/log";
import { isImportEncoding } from "../import/decode";
import { ImportError } from "../import/errors";
import type { ImportFlag, ImportSource } from "../import/kind";
import { MAX_TREE_ENTRIES, type TreeFile } from "../import/tree";
import { IMPORT_KINDS } from "../import/kinds/index";
import { describeProblem, type ImportReport } from "../import/report";
import { importKind, runImport } from "../import/service";
import { systemClock } from "../shared/clock";
import { createLogger } from "../shared/log";
import { loadConfigOrReport, parseFlags, resolveConfigPath, UsageError, type Command } from "./args";

/** The OS user running the command, for the audit row; a container without a passwd entry falls back to $USER or the uid. */
function osUserName(env: Record<string, string | undefined>): string {
  try {
    return userInfo().username;
  } catch {
    return env.USER ?? `uid:${process.getuid?.() ?? "unknown"}`;
  }
}

/**
 * The regular files under a directory, with paths relative to it (`/`-separated), within the same limits a zip
 * sent to the API has (MAX_TREE_ENTRIES files, `maxBytes` in all). Symbolic links are not followed, so the tree
 * cannot reach outside the directory. Answers why when over a limit.
 */
function readDirectoryTree(dir: string, maxBytes: number): TreeFile[] | string {
  const files: TreeFile[] = [];
  let total = 0;
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const full = join(entry.parentPath, entry.name);
    total += statSync(full).size;
    if (files.length + 1 > MAX_TREE_ENTRIES) return `more than ${MAX_TREE_ENTRIES} files; import a smaller tree`;
    if (total > maxBytes) return `more than ${maxBytes} bytes of files; import a smaller tree`;
    files.push({ path: relative(dir, full).split(sep).join("/"), bytes: readFileSync(full) });
  }
  return files;
}

/** One line per outcome, the counts in words a person reads: "12 inserted, 2 updated, 0 unchanged". */
export function describeReport(report: ImportReport, file: string): string[] {
  const { inserted, updated, unchanged } = report.counts;
  const head = `${report.kind}: ${report.records} record${report.records === 1 ? "" : "s"} in ${file} (sha256 ${report.fileSha256.slice(0, 12)})`;
  if (report.problems.length > 0)
    return [
      `${head}: ${report.problems.length} problem${report.problems.length === 1 ? "" : "s"}, nothing written:`,
      ...report.problems.map((p) => `  ${file}: ${describeProblem(p)}`),
    ];
  const counts = report.dryRun
    ? `would insert ${inserted}, update ${updated}, leave ${unchanged} unchanged (dry run, nothing written)`
    : inserted + updated === 0
      ? `nothing changed: all ${unchanged} already as in the file`
      : `${inserted} inserted, ${updated} updated, ${unchanged} unchanged`;
  return [`${head}: ${counts}`, ...report.notes.map((n) => `  ${n}`)];
}

function kindFlags(name: string): Record<string, ImportFlag> {
  return { ...(IMPORT_KINDS.find((k) => k.name === name)?.flags ?? {}) };
}

/**
 * `cavaridge import KIND FILE [--tenant T] [--dry-run] [--encoding windows-1252]`: the operator's import, through the
 * same service as the admin API. Exit 0 when imported (or a clean dry run), 1 when the file has problems or the
 * import was refused.
 */
export const importCommand: Command = {
  summary: `import the MSP's data from a file: ${IMPORT_KINDS.map((k) => k.name).join(", ")} (--dry-run reports without writing)`,
  usage: `cavaridge import ${IMPORT_KINDS.map((k) => k.name).join("|")} FILE [--tenant T] [--dry-run] [--encoding utf-8|windows-1252] [--config PATH]`,
  async run(argv, io) {
    const kindName = argv[0] && !argv[0].startsWith("-") ? argv[0] : undefined;
    const extra = kindName ? kindFlags(kindName) : {};
    const { values, positionals } = parseFlags(argv, {
      config: { type: "string" },
      tenant: { type: "string" },
      "dry-run": { type: "boolean" },
      encoding: { type: "string" },
      ...Object.fromEntries(Object.entries(extra).map(([k, f]) => [k, { type: f.type }])),
    });
    if (values.help) {
      io.out(this.usage);
      for (const k of IMPORT_KINDS) io.out(`  ${k.name}: ${k.summary} (at most ${k.maxBytes} bytes)`);
      return 0;
    }
    const v = values as Record<string, string | boolean | undefined>;
    if (positionals.length !== 2) throw new UsageError("expected a KIND and a FILE");
    const [kind, file] = positionals as [string, string];
    try {
      importKind(kind);
    } catch (err) {
      if (err instanceof ImportError) throw new UsageError(err.message);
      throw err;
    }
    const encoding = typeof v.encoding === "string" ? v.encoding.toLowerCase() : undefined;
    if (encoding !== undefined && !isImportEncoding(encoding))
      throw new UsageError(`--encoding must be utf-8 or windows-1252 (a byte order mark always wins)`);
    const maxBytes = importKind(kind).maxBytes;
    let source: ImportSource;
    try {
      const stat = statSync(file);
      if (stat.isDirectory()) {
        if (!importKind(kind).tree) {
          io.err(`${file}: a directory; ${kind} imports take one file`);
          return 1;
        }
        const tree = readDirectoryTree(file, maxBytes);
        if (typeof tree === "string") {
          io.err(`${file}: ${tree}`);
          return 1;
        }
        source = { type: "tree", files: tree };
      } else {
        if (stat.size > maxBytes) {
          io.err(`${file}: ${stat.size} bytes; ${kind} imports take at most ${maxBytes} bytes`);
          return 1;
        }
        source = { type: "bytes", bytes: readFileSync(file) };
      }
    } catch (err) {
      io.err(
        `${file}: ${(err as NodeJS.ErrnoException).code === "ENOENT" ? "file not found" : (err as Error).message}`,
      );
      return 1;
    }

    const config = loadConfigOrReport(resolveConfigPath(v.config as string | undefined, io.env), io);
    if (!config) return 1;
    const log = createLogger("warn", {}, (line) => io.err(line));
    const { prepareStore } = await import("../appliance");
    const { store } = await prepareStore(config, io.env, systemClock, log);
    const audit = new AuditLog(store.db, systemClock, log);
    try {
      const flags = Object.fromEntries(
        Object.keys(extra)
          .filter((k) => v[k] !== undefined)
          .map((k) => [k, v[k] as string | boolean]),
      );
      const report = await runImport(
        { store, audit, clock: systemClock, log },
        { type: "cli", osUser: osUserName(io.env) },
        {
          kind,
          source,
          dryRun: v["dry-run"] === true,
          ...(typeof v.tenant === "string" ? { tenant: v.tenant } : {}),
          ...(encoding ? { encoding: encoding as "utf-8" | "windows-1252" } : {}),
          flags,
        },
      );
      const lines = describeReport(report, file);
      if (report.problems.length > 0) {
        for (const line of lines) io.err(line);
        return 1;
      }
      for (const line of lines) io.out(line);
      return 0;
    } catch (err) {
      if (err instanceof ImportError) {
        io.err(`${kind} import refused: ${err.message}`);
        return 1;
      }
      throw err;
    } finally {
      await audit.flush();
      store.close();
    }
  },
};
