import { describe, expect, test } from "bun:test";
import { withMethods } from "../../../src/store/method-proxy";
import { isRead } from "../../../src/store/write-lock";

describe("isRead: which statements skip the write lock and the WAL sync", () => {
  test("reads, and the same verdict every time a text is asked again", () => {
    const cases: [string, boolean][] = [
      ["SELECT 1", true],
      ["  select * from t", true],
      ["EXPLAIN QUERY PLAN SELECT 1", true],
      ["PRAGMA data_version", true],
      ["PRAGMA synchronous = NORMAL", false],
      ["INSERT INTO t VALUES (1)", false],
      ["WITH x AS (SELECT 1) DELETE FROM t", false],
      ["BEGIN IMMEDIATE", false],
    ];
    for (let round = 0; round < 2; round++)
      for (const [sql, read] of cases) {
        expect({ sql, read: isRead(sql) }).toEqual({ sql, read });
        expect({ sql, read: isRead({ sql, args: [] }) }).toEqual({ sql, read });
      }
  });
});

describe("withMethods", () => {
  class Counter {
    n = 0;
    bump(): number {
      return ++this.n;
    }
    twice(): number {
      return this.bump() + this.bump();
    }
  }

  test("overrides answer for their names; other methods come bound to the target, built once", () => {
    const target = new Counter();
    const view = withMethods(target, { twice: () => -1 });
    expect(view.twice()).toBe(-1);
    const { bump } = view;
    expect(bump()).toBe(1);
    expect(target.n).toBe(1);
    expect(view.bump).toBe(view.bump);
    expect(view.n).toBe(1);
  });

  test("a method reassigned on the target is bound afresh", () => {
    const target = new Counter();
    const view = withMethods(target, {});
    const before = view.bump;
    target.bump = function (this: Counter) {
      this.n += 10;
      return this.n;
    };
    expect(view.bump).not.toBe(before);
    const { bump } = view;
    expect(bump()).toBe(10);
  });

  test("getters run on the target, so one reading a private field works through the view", () => {
    class Tx {
      #closed = false;
      get closed(): boolean {
        return this.#closed;
      }
      close(): void {
        this.#closed = true;
      }
    }
    const view = withMethods(new Tx(), {});
    expect(view.closed).toBe(false);
    view.close();
    expect(view.closed).toBe(true);
  });
});
