/**
 * Structured JSON logs to stdout, one object per line. Callers pass identifiers, never secrets:
 * `redactForLog` strips keys that could carry a token, code, secret or password before anything is written.
 */
export type LogLevel = "debug" | "info" | "warn" | "error";
const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
  child(fields: Record<string, unknown>): Logger;
}

const SECRET_KEY = /pass(word)?|secret|token|authorization|cookie|code_verifier|^code$|assertion|api[_-]?key|csrf/i;

export function redactForLog(value: unknown, depth = 0): unknown {
  if (depth > 6) return "[depth]";
  if (Array.isArray(value)) return value.map((v) => redactForLog(v, depth + 1));
  if (value && typeof value === "object") {
    // drizzle's query errors append "params: …" with every bound value; keep the SQL text, drop the values.
    if (value instanceof Error)
      return { name: value.name, message: value.message.replace(/\nparams:[\s\S]*$/, "\nparams: [redacted]") };
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = SECRET_KEY.test(k) ? "[redacted]" : redactForLog(v, depth + 1);
    return out;
  }
  return value;
}

export function createLogger(
  level: LogLevel = "info",
  base: Record<string, unknown> = {},
  write: (line: string) => void = (line) => process.stdout.write(`${line}\n`),
): Logger {
  const emit = (lvl: LogLevel, msg: string, fields?: Record<string, unknown>) => {
    if (ORDER[lvl] < ORDER[level]) return;
    const record = {
      time: new Date().toISOString(),
      level: lvl,
      msg,
      ...base,
      ...(fields ? (redactForLog(fields) as object) : {}),
    };
    write(JSON.stringify(record));
  };
  return {
    debug: (m, f) => emit("debug", m, f),
    info: (m, f) => emit("info", m, f),
    warn: (m, f) => emit("warn", m, f),
    error: (m, f) => emit("error", m, f),
    child: (fields) => createLogger(level, { ...base, ...fields }, write),
  };
}

/** A logger that drops everything (tests that do not assert on logs). */
export const silentLogger: Logger = createLogger("error", {}, () => {});
