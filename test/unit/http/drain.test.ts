import { describe, expect, test } from "bun:test";
import { DrainGate, isProbe } from "../../../src/http/drain";

describe("DrainGate idle time", () => {
  test("health probes and metrics scrapes keep the listeners from draining but do not count as work", () => {
    const gate = new DrainGate();
    expect(gate.admit(1_000, "http://127.0.0.1:8080/cavalier")).toBeNull();
    gate.admit(20_000, "http://127.0.0.1:8080/healthz");
    gate.admit(25_000, "http://127.0.0.1:9090/metrics?name[]=x");
    gate.admit(30_000, "http://cavaridge.example/readyz");
    expect(gate.quietFor(31_000)).toBe(1_000);
    expect(gate.idleFor(31_000)).toBe(30_000);
    gate.admit(32_000, "http://127.0.0.1:8080/oauth/token");
    expect(gate.idleFor(33_000)).toBe(1_000);
  });

  test("only the exact probe paths are probes", () => {
    expect(isProbe("http://h/healthz")).toBe(true);
    expect(isProbe("http://h:1/readyz?x=1")).toBe(true);
    expect(isProbe("http://h/metrics")).toBe(true);
    expect(isProbe("http://h/healthz/x")).toBe(false);
    expect(isProbe("http://h/cavalier?p=/healthz")).toBe(false);
    expect(isProbe("http://h/")).toBe(false);
  });
});
