import { isLoopbackHost } from "../config/load";
import { SURFACES, type Config } from "../config/schema";
import { demoAccounts, DEMO_PASSWORD } from "../demo/exposure";
import { resourceUrl } from "../oauth/resource";

/**
 * Why a client cannot reach a URL, or null when it can. ChatGPT and Claude connect from their own servers and
 * require https on the default port (https://help.openai.com/en/articles/11487775-connectors-in-chatgpt,
 * https://support.anthropic.com/en/articles/11175166-about-custom-integrations-using-remote-mcp).
 */
export function unreachableNote(url: string): string | null {
  const u = new URL(url);
  if (u.protocol !== "https:")
    return isLoopbackHost(u.hostname)
      ? "loopback http: only clients on this machine (MCP Inspector, Claude Code) can use it; ChatGPT and Claude need https on 443"
      : "not https: ChatGPT and Claude connectors need https on port 443 (put a TLS reverse proxy in front)";
  if (u.port !== "" && u.port !== "443") return `port ${u.port}: ChatGPT and Claude connectors expect https on 443`;
  return null;
}

/**
 * The human block `serve` writes to stderr once it listens: where to point a client, where the admin page is,
 * the demo sign-in when the demo is on, and why the URLs may not work from ChatGPT or Claude yet. Logs stay JSON
 * on stdout; this is for the person at the terminal.
 */
export function startBanner(config: Config, ports: { adminPort: number | null }): string[] {
  const lines = [
    "",
    "Cavaridge is running.",
    "",
    "  MCP servers (paste one into ChatGPT or Claude as a custom connector):",
  ];
  const enabled = SURFACES.filter((s) => config.surfaces[s]);
  const width = Math.max(0, ...enabled.map((s) => s.length));
  for (const surface of enabled) lines.push(`    ${surface.padEnd(width)}  ${resourceUrl(config, surface)}`);
  if (enabled.length === 0) lines.push("    (none: every surface is disabled in [surfaces])");
  if (ports.adminPort !== null) {
    const host = config.admin.listen.replace(/:\d+$/, "");
    lines.push(
      "",
      `  Admin page:  http://${host.includes(":") && !host.startsWith("[") ? `[${host}]` : host}:${ports.adminPort}/`,
    );
  }
  const demo = demoAccounts(config);
  if (demo.length > 0 || config.demo.seed) {
    lines.push("", "  Demo is on (loopback only).");
    if (demo.length > 0) lines.push(`  Demo sign-in: ${demo[0]} / ${DEMO_PASSWORD} (every demo user shares it)`);
  }
  const notes = new Set<string>();
  for (const surface of enabled) {
    const note = unreachableNote(resourceUrl(config, surface));
    if (note) notes.add(note);
  }
  for (const note of notes) lines.push("", `  Note: ${note}.`);
  lines.push("");
  return lines;
}
