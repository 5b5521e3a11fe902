import { unzipSync } from "fflate";
import type { ImportProblem } from "./report";

/**
 * A tree of files for kinds that import many (docs): from a zip sent to the admin API, or a directory the CLI read.
 * Either way the same limits hold, so a crafted archive cannot do what a directory could not: at most MAX_TREE_ENTRIES
 * files and `maxBytes` uncompressed in all, and only relative paths without `..` (a "zip slip" path names a file
 * outside the tree, https://security.snyk.io/research/zip-slip-vulnerability).
 */

export const MAX_TREE_ENTRIES = 2000;

export interface TreeFile {
  path: string;
  bytes: Uint8Array;
}

/** Why a path inside a tree is refused, or null when it is a plain relative path with `/` separators. */
export function unsafeTreePath(path: string): string | null {
  if (path.includes("\\")) return "uses a backslash; archive paths use /";
  if (path.startsWith("/") || /^[A-Za-z]:/.test(path)) return "is absolute";
  if (path.split("/").some((s) => s === ".." || s === ".")) return "contains a . or .. segment";
  if (path.includes("\0")) return "contains a NUL";
  return null;
}

/**
 * The files of a zip (directories skipped). The limits are checked on the central directory's declared sizes
 * before anything is inflated (fflate's `filter`), and each inflated entry must have exactly its declared size, so
 * an entry that lies about its size is refused instead of inflating past the cap.
 */
export function readZipTree(
  bytes: Uint8Array,
  maxBytes: number,
): { files: TreeFile[] } | { problems: ImportProblem[] } {
  const problems: ImportProblem[] = [];
  const declared = new Map<string, number>();
  let entries = 0;
  let total = 0;
  let files: Record<string, Uint8Array>;
  try {
    files = unzipSync(bytes, {
      filter(entry) {
        if (entry.name.endsWith("/")) return false;
        entries++;
        total += entry.originalSize;
        const unsafe = unsafeTreePath(entry.name);
        if (unsafe) problems.push({ path: entry.name, message: `refused: the path ${unsafe}` });
        if (entries > MAX_TREE_ENTRIES || total > maxBytes || problems.length > 0) return false;
        declared.set(entry.name, entry.originalSize);
        return true;
      },
    });
  } catch (err) {
    return { problems: [{ message: `not a readable zip archive: ${(err as Error).message}` }] };
  }
  if (entries > MAX_TREE_ENTRIES)
    problems.push({ message: `the archive holds ${entries} files; at most ${MAX_TREE_ENTRIES} are accepted` });
  if (total > maxBytes)
    problems.push({ message: `the archive inflates to ${total} bytes; at most ${maxBytes} are accepted` });
  for (const [name, data] of Object.entries(files))
    if (data.byteLength !== declared.get(name))
      problems.push({ path: name, message: "refused: the entry's size differs from the size the archive declares" });
  if (problems.length > 0) return { problems };
  return { files: Object.entries(files).map(([path, data]) => ({ path, bytes: data })) };
}
