import Database from "libsql";
import { localPathOf } from "./local-client";

/**
 * Tells a cache whether anything may have changed in the database since it last looked.
 *
 * SQLite's `PRAGMA data_version` (https://www.sqlite.org/pragma.html#pragma_data_version) returns a number that
 * changes whenever ANOTHER connection commits to the database file, from this process or any other; it is read
 * from the shared WAL index, so it costs a few microseconds and no I/O. The value is per connection, so it is
 * only comparable across reads made on the same connection: the signal keeps one connection of its own that never
 * writes. Every commit made by anybody, this process's own store client included, is then "another connection's"
 * commit and moves the number.
 *
 * It is read on every MCP request, so it bypasses `@libsql/client` (which would prepare the statement and build a
 * result set each time): one libSQL connection, the statement prepared once, read synchronously.
 */
export interface ChangeSignal {
  /** The current data version; two equal reads mean no connection committed in between. */
  version(): number;
  close(): void;
}

/**
 * A change signal for an embedded file (`file:`). A libSQL server (`libsql://`, `http(s)://`) gives no such
 * signal over its protocol, so it returns null there and callers must not cache what the store decides.
 */
export async function openChangeSignal(url: string, _authToken?: string): Promise<ChangeSignal | null> {
  const path = localPathOf(url);
  if (path === null) return null;
  const db = new Database(path, { timeout: 5000 });
  const statement = db.prepare("PRAGMA data_version").raw(true);
  const read = (): number => {
    const version = Number((statement.get() as unknown[] | undefined)?.[0]);
    // A NaN would never equal itself, so the cache would silently stop serving; fail loudly instead.
    if (!Number.isSafeInteger(version)) throw new Error("PRAGMA data_version returned no number");
    return version;
  };
  read();
  // One read per event-loop turn. Every request handled in a turn was received before the turn's I/O poll, which
  // precedes the read; a commit its client saw finish before sending it therefore precedes the read too. The
  // value is dropped at the end of the turn (setImmediate runs after the turn's I/O callbacks).
  let current: number | null = null;
  const forget = () => {
    current = null;
  };
  return {
    version: () => {
      if (current === null) {
        current = read();
        setImmediate(forget);
      }
      return current;
    },
    close: () => db.close(),
  };
}
