import { describe, expect, test } from "bun:test";
import { ConfigError, parseConfigText } from "../../../src/config/load";
import { buildSinks, SinkConfigError } from "../../../src/observability/stream/sinks";

const base = `[server]\npublic_url = "https://mcp.example.com"\n\n[[tenants]]\nid = "harbor-it"\nname = "Harbor"\nkind = "msp"\n`;

function problems(toml: string): string[] {
  try {
    parseConfigText(`${base}\n${toml}`, "test.toml");
    return [];
  } catch (err) {
    if (err instanceof ConfigError) return err.problems.map((p) => `${p.path}: ${p.message}`);
    throw err;
  }
}

describe("[metrics] and [[audit.sinks]]", () => {
  test("valid sinks and metrics parse, with defaults", () => {
    const config = parseConfigText(
      `${base}\n[metrics]\nlisten = "0.0.0.0:9464"\n\n[audit]\n[[audit.sinks]]\ntype = "syslog"\naddress = "siem.example.com:6514"\ntls = true\n\n[[audit.sinks]]\ntype = "http"\nurl = "https://hec.example.com/services/collector/raw"\nheader_env = "SPLUNK_HEC_HEADER"\n`,
      "test.toml",
    );
    expect(config.metrics).toEqual({ listen: "0.0.0.0:9464", token_env: "CAVARIDGE_METRICS_TOKEN" });
    expect(config.audit.checkpoint_every_rows).toBe(1000);
    expect(config.audit.sinks.map((s) => s.type)).toEqual(["syslog", "http"]);
  });

  test("a misspelt key, an unknown type or a token written into the file is named by its key path", () => {
    expect(problems(`[[audit.sinks]]\ntype = "syslog"\naddres = "h:1"\n`).join("\n")).toContain("audit.sinks[0]");
    expect(problems(`[[audit.sinks]]\ntype = "kafka"\nurl = "https://x.example"\n`).join("\n")).toContain(
      "audit.sinks[0]",
    );
    expect(
      problems(`[[audit.sinks]]\ntype = "http"\nurl = "https://x.example"\nheader = "Authorization: x"\n`).join("\n"),
    ).toContain("audit.sinks[0]");
    expect(problems(`[metrics]\ntoken = "secret"\n`).join("\n")).toContain("metrics.token");
  });

  test("building the sinks names the entry whose header variable is missing or malformed, or that repeats another", () => {
    const config = (toml: string) => parseConfigText(`${base}\n[audit]\n${toml}`, "test.toml").audit.sinks;
    const origin = { hostname: "h", procId: "1" };
    const http = `[[audit.sinks]]\ntype = "http"\nurl = "https://hec.example.com/"\nheader_env = "HEC"\n`;
    expect(() => buildSinks(config(http), {}, origin)).toThrow(
      new SinkConfigError("audit.sinks[0].header_env: environment variable HEC is not set"),
    );
    expect(() => buildSinks(config(http), { HEC: "no colon" }, origin)).toThrow(SinkConfigError);
    expect(buildSinks(config(http), { HEC: "Authorization: Splunk abc" }, origin)[0]!.id).toBe(
      "http:https://hec.example.com/",
    );
    const twice = `[[audit.sinks]]\ntype = "syslog"\naddress = "h:514"\n[[audit.sinks]]\ntype = "syslog"\naddress = "h:514"\n`;
    expect(() => buildSinks(config(twice), {}, origin)).toThrow(/audit\.sinks\[1\]: same sink as audit\.sinks\[0\]/);
    const halfTls = `[[audit.sinks]]\ntype = "syslog"\naddress = "h:6514"\ntls = true\ncert_file = "/c.pem"\n`;
    expect(() => buildSinks(config(halfTls), {}, origin)).toThrow(/cert_file and key_file go together/);
  });
});
