import { describe, expect, test } from "bun:test";
import { IdleShrink } from "../../../src/cli/idle-memory";

/** A listener stand-in: requests are read at the times given; quietFor is measured from the latest one. */
function listener() {
  let lastRequestAt = 0;
  return {
    request: (at: number) => {
      lastRequestAt = at;
    },
    quietFor: (now: number) => now - lastRequestAt,
  };
}

describe("serve gives memory back when idle", () => {
  test("after the quiet period, once, and again only after a request and another quiet period", () => {
    const l = listener();
    let shrinks = 0;
    const idle = new IdleShrink(l.quietFor, () => shrinks++, 30_000);
    l.request(1_000);
    expect(idle.tick(20_000)).toBe(false);
    expect(idle.tick(31_000)).toBe(true);
    expect(idle.tick(36_000)).toBe(false);
    expect(idle.tick(120_000)).toBe(false);
    expect(shrinks).toBe(1);

    l.request(121_000);
    expect(idle.tick(125_000)).toBe(false);
    expect(idle.tick(151_000)).toBe(true);
    expect(idle.tick(156_000)).toBe(false);
    expect(shrinks).toBe(2);
  });

  test("never while requests keep arriving, however long the process runs", () => {
    const l = listener();
    let shrinks = 0;
    const idle = new IdleShrink(l.quietFor, () => shrinks++, 30_000);
    for (let t = 0; t < 600_000; t += 5_000) {
      l.request(t - 1);
      idle.tick(t);
    }
    expect(shrinks).toBe(0);
  });

  test("a process that has served nothing gives back what its start left, once", () => {
    let shrinks = 0;
    const idle = new IdleShrink(
      (now) => now,
      () => shrinks++,
      30_000,
    );
    expect(idle.tick(10_000)).toBe(false);
    expect(idle.tick(30_000)).toBe(true);
    expect(idle.tick(90_000)).toBe(false);
    expect(shrinks).toBe(1);
  });
});
