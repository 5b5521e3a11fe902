import { describe, expect, test } from "bun:test";
import { runCli } from "../../src/cli/commands";
import { readinessUrlFor } from "../../src/cli/healthcheck";
import { freePort, startTestAppliance } from "../helpers/appliance";

function captureIo() {
  const out: string[] = [];
  const err: string[] = [];
  return {
    out,
    err,
    io: { out: (l: string) => out.push(l), err: (l: string) => err.push(l), env: {}, readStdin: async () => "" },
  };
}

describe("readinessUrlFor", () => {
  test("probes a wildcard listener over loopback", () => {
    expect(readinessUrlFor("0.0.0.0:8787", false)).toBe("http://127.0.0.1:8787/readyz");
    expect(readinessUrlFor("[::]:8787", false)).toBe("http://[::1]:8787/readyz");
  });
  test("keeps a specific address and switches to https when the appliance terminates TLS", () => {
    expect(readinessUrlFor("10.0.0.5:443", true)).toBe("https://10.0.0.5:443/readyz");
    expect(readinessUrlFor("[::1]:8787", false)).toBe("http://[::1]:8787/readyz");
  });
});

describe("cavaridge healthcheck", () => {
  test("exits 0 against a ready appliance", async () => {
    const app = await startTestAppliance();
    try {
      const { io, out } = captureIo();
      expect(await runCli(["healthcheck", "--url", `${app.baseUrl}/readyz`], io)).toBe(0);
      expect(out.join("\n")).toContain("healthy");
      // Regression: the base URL (as an operator would pass it) used to probe "/" and report 404.
      expect(await runCli(["healthcheck", "--url", app.baseUrl], io)).toBe(0);
      expect(await runCli(["healthcheck", "--url", `${app.baseUrl}/`], io)).toBe(0);
    } finally {
      await app.close();
    }
  });

  test("exits 1 when nothing listens", async () => {
    const port = await freePort();
    const { io, err } = captureIo();
    expect(await runCli(["healthcheck", "--url", `http://127.0.0.1:${port}/readyz`, "--timeout", "2"], io)).toBe(1);
    expect(err.join("\n")).toContain("unhealthy");
  });

  test("exits 1 and names the problem when the config cannot be read", async () => {
    const { io, err } = captureIo();
    expect(await runCli(["healthcheck", "--config", "/nonexistent/cavaridge.toml"], io)).toBe(1);
    expect(err.join("\n")).toContain("file not found");
  });
});
