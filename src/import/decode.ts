import type { ImportProblem } from "./report";

/** Encodings a caller may name for a file without a byte order mark (WHATWG Encoding Standard labels). */
export const IMPORT_ENCODINGS = ["utf-8", "windows-1252"] as const;
export type ImportEncoding = (typeof IMPORT_ENCODINGS)[number];

export function isImportEncoding(value: string): value is ImportEncoding {
  return (IMPORT_ENCODINGS as readonly string[]).includes(value.toLowerCase());
}

export type Decoded = { ok: true; text: string; encoding: string } | { ok: false; problem: ImportProblem };

const startsWith = (bytes: Uint8Array, prefix: readonly number[]) => prefix.every((b, i) => bytes[i] === b);

/**
 * Bytes to text. A byte order mark decides (UTF-8, UTF-16LE, UTF-16BE: what Excel's "Unicode Text" and "CSV UTF-8"
 * exports start with); without one the file is UTF-8 unless the caller names windows-1252 (older Excel's "CSV"
 * export on Western Windows). The WHATWG TextDecoder does the decoding and drops the BOM
 * (https://encoding.spec.whatwg.org/#interface-textdecoder). Invalid UTF-8 is a problem naming the first bad line,
 * never silently replaced by U+FFFD.
 */
export function decodeImportBytes(bytes: Uint8Array, encoding: ImportEncoding | undefined): Decoded {
  if (startsWith(bytes, [0xef, 0xbb, 0xbf])) return decodeStrict(bytes, "utf-8");
  if (startsWith(bytes, [0xff, 0xfe])) return decodeStrict(bytes, "utf-16le");
  if (startsWith(bytes, [0xfe, 0xff])) return decodeStrict(bytes, "utf-16be");
  if (encoding?.toLowerCase() === "windows-1252") {
    return { ok: true, text: new TextDecoder("windows-1252").decode(bytes), encoding: "windows-1252" };
  }
  return decodeStrict(bytes, "utf-8");
}

function decodeStrict(bytes: Uint8Array, encoding: string): Decoded {
  try {
    return { ok: true, text: new TextDecoder(encoding, { fatal: true }).decode(bytes), encoding };
  } catch {
    return { ok: false, problem: { line: firstBadLine(bytes, encoding), message: notDecodable(encoding) } };
  }
}

function notDecodable(encoding: string): string {
  return encoding === "utf-8"
    ? 'the file is not valid UTF-8 from this line on; save it as "CSV UTF-8", or pass --encoding windows-1252 ' +
        "(encoding=windows-1252 in the API) for a file from older Excel"
    : `the file starts with a ${encoding.toUpperCase()} byte order mark but is not valid ${encoding.toUpperCase()} from this line on`;
}

/** The first line whose bytes do not decode (for UTF-8, lines split at 0x0A, which never occurs inside a sequence). */
function firstBadLine(bytes: Uint8Array, encoding: string): number | undefined {
  if (encoding !== "utf-8") return undefined;
  const decoder = new TextDecoder("utf-8", { fatal: true });
  let line = 1;
  let start = 0;
  for (let i = 0; i <= bytes.length; i++) {
    if (i < bytes.length && bytes[i] !== 0x0a) continue;
    try {
      decoder.decode(bytes.subarray(start, i));
    } catch {
      return line;
    }
    line++;
    start = i + 1;
  }
  return undefined;
}
