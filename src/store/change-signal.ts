import { createClient, type Client } from "@libsql/client";

/**
 * Tells a cache whether anything may have changed in the database since it last looked.
 *
 * SQLite's `PRAGMA data_version` (https://www.sqlite.org/pragma.html#pragma_data_version) returns a number that
 * changes whenever ANOTHER connection commits to the database file, from this process or any other; it is read
 * from the shared WAL index, so it costs a few microseconds and no I/O. The value is per connection, so it is
 * only comparable across reads made on the same connection: the signal keeps one connection of its own
 * (`concurrency: 1`, never a transaction) that never writes. Every commit made by anybody, this process's own
 * store client included, is then "another connection's" commit and moves the number.
 */
export interface ChangeSignal {
  /** The current data version; two equal reads mean no connection committed in between. */
  version(): Promise<number>;
  close(): void;
}

/**
 * A change signal for an embedded file (`file:`). A libSQL server (`libsql://`, `http(s)://`) gives no such
 * signal over its protocol, so it returns null there and callers must not cache what the store decides.
 */
export async function openChangeSignal(url: string, authToken?: string): Promise<ChangeSignal | null> {
  if (!url.startsWith("file:")) return null;
  const client: Client = createClient({ url, authToken, concurrency: 1 });
  const read = async (): Promise<number> => {
    const rs = await client.execute("PRAGMA data_version");
    return Number(rs.rows[0]![0]);
  };
  await read();
  return { version: read, close: () => client.close() };
}
