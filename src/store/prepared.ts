import type { DbLike } from "./index";

/**
 * A drizzle prepared query (`.prepare()`, values bound at each run through `sql.placeholder`) kept per database
 * handle: its SQL is built once instead of by drizzle's query builder on every call, which costs tens of µs for a
 * select or insert of a dozen columns. A prepared query runs on the handle it was prepared on, so a transaction
 * (which has its own handle) gets its own, built on its first use and dropped with it; the store's own handle keeps
 * one for the life of the process. The statement itself is kept by the store's client (src/store/local-client.ts).
 */
export function preparedPerHandle<Q>(prepare: (db: DbLike) => Q): (db: DbLike) => Q {
  const byHandle = new WeakMap<DbLike, Q>();
  return (db) => {
    let q = byHandle.get(db);
    if (q === undefined) byHandle.set(db, (q = prepare(db)));
    return q;
  };
}
