import { loadConfig, ConfigError } from "../config/load";
import { parseFlags, resolveConfigPath, type Command } from "./args";

/**
 * The URL a local probe should ask: the public listener's /readyz, reached over loopback when the listener
 * binds a wildcard address (0.0.0.0 or ::), since a wildcard is not something one can connect to.
 * https when the appliance terminates TLS itself.
 */
export function readinessUrlFor(listen: string, tls: boolean): string {
  const idx = listen.lastIndexOf(":");
  let host = listen.slice(0, idx).replace(/^\[|\]$/g, "");
  const port = listen.slice(idx + 1);
  if (host === "" || host === "0.0.0.0") host = "127.0.0.1";
  else if (host === "::") host = "::1";
  const authority = host.includes(":") ? `[${host}]:${port}` : `${host}:${port}`;
  return `${tls ? "https" : "http"}://${authority}/readyz`;
}

/**
 * `cavaridge healthcheck`: exit 0 when the running appliance answers 200 on /readyz, 1 otherwise.
 * It exists so the container image needs no curl or wget for its HEALTHCHECK: the binary probes itself.
 */
export const healthcheck: Command = {
  summary: "probe a running appliance's /readyz (exit 0 when ready); used by the container HEALTHCHECK",
  usage: "cavaridge healthcheck [--url URL] [--config PATH] [--timeout SECONDS]",
  async run(argv, io) {
    const { values } = parseFlags(argv, {
      url: { type: "string" },
      config: { type: "string" },
      timeout: { type: "string" },
    });
    const flags = values as { help?: boolean; url?: string; config?: string; timeout?: string };
    if (flags.help) return (io.out(this.usage), 0);
    const timeoutSeconds = flags.timeout === undefined ? 5 : Number(flags.timeout);
    if (!Number.isFinite(timeoutSeconds) || timeoutSeconds <= 0)
      return (io.err("--timeout must be a positive number of seconds"), 1);

    let url = flags.url;
    if (url) {
      // `--url http://host:8787` means the appliance's base URL: probe its /readyz, as the help says.
      try {
        const parsed = new URL(url);
        if (parsed.pathname === "/" || parsed.pathname === "") url = new URL("/readyz", parsed).href;
      } catch {
        return (io.err(`--url is not a URL: ${url}`), 1);
      }
    } else {
      try {
        const config = loadConfig(resolveConfigPath(flags.config, io.env), io.env);
        url = readinessUrlFor(config.server.listen, config.server.tls_cert_file !== undefined);
      } catch (err) {
        if (err instanceof ConfigError)
          return (
            io.err(
              `unhealthy: cannot read the config (${err.problems.map((p) => `${p.path}: ${p.message}`).join("; ")})`,
            ),
            1
          );
        throw err;
      }
    }
    try {
      const res = await fetch(url, {
        signal: AbortSignal.timeout(timeoutSeconds * 1000),
        // The probe talks to its own process over loopback; a certificate made for the public name cannot match.
        tls: { rejectUnauthorized: false },
      } as RequestInit);
      const body = (await res.text()).slice(0, 200);
      if (res.status === 200) return (io.out(`healthy: ${url} ${res.status} ${body}`), 0);
      return (io.err(`unhealthy: ${url} answered ${res.status} ${body}`), 1);
    } catch (err) {
      return (io.err(`unhealthy: ${url}: ${(err as Error).message}`), 1);
    }
  },
};
