import { readFileSync } from "node:fs";
import { connect as connectTcp, type Socket } from "node:net";
import { connect as connectTls } from "node:tls";
import type { AuditSinkConfig } from "../../config/schema";
import type { StreamRecord } from "./records";
import { octetCountingFrame, syslogMessage, type SyslogOrigin } from "./syslog-format";

/** A sink refused or failed a batch; the forwarder keeps its position and retries with backoff. */
export class SinkError extends Error {
  readonly code = "sink_unavailable";
}

/** A configuration problem found when the sinks are built, named by its key path. */
export class SinkConfigError extends Error {
  readonly code = "invalid_sink_config";
}

/** Delivers batches in order. `send` resolves only once the batch is acknowledged (at-least-once). */
export interface AuditSink {
  readonly id: string;
  readonly batchSize: number;
  send(records: readonly StreamRecord[]): Promise<void>;
  close(): void;
}

/** The name a sink's position is stored under: its `name`, else its type and address. */
export function sinkId(sink: AuditSinkConfig): string {
  if (sink.name) return sink.name;
  return sink.type === "syslog"
    ? `syslog:${sink.address}`
    : `http:${new URL(sink.url).origin}${new URL(sink.url).pathname}`;
}

/**
 * Syslog over TCP, optionally TLS (RFC 5425), RFC 6587 octet-counted frames. Plain syslog has no application-level
 * acknowledgement, so a batch counts as delivered once its bytes are flushed to the socket and the connection is
 * still up a moment later: a peer that closed or reset the connection is noticed in that window and the batch is
 * sent again (at least once; the receiver sees the repeated seq).
 */
export class SyslogSink implements AuditSink {
  readonly batchSize = 200;
  private socket: Socket | null = null;
  private failure: Error | null = null;

  constructor(
    readonly id: string,
    private readonly config: Extract<AuditSinkConfig, { type: "syslog" }>,
    private readonly origin: SyslogOrigin,
    private readonly settleMs = 150,
  ) {}

  async send(records: readonly StreamRecord[]): Promise<void> {
    const socket = await this.connect();
    const payload = records.map((r) => octetCountingFrame(syslogMessage(r, this.origin))).join("");
    await new Promise<void>((resolve, reject) => {
      socket.write(payload, "utf8", (err) => (err ? reject(new SinkError(err.message)) : resolve()));
    });
    await new Promise((r) => setTimeout(r, this.settleMs));
    if (this.failure || this.socket !== socket) throw new SinkError(this.failure?.message ?? "connection closed");
  }

  close(): void {
    this.socket?.destroy();
    this.socket = null;
  }

  private async connect(): Promise<Socket> {
    if (this.socket && !this.failure) return this.socket;
    this.close();
    this.failure = null;
    const idx = this.config.address.lastIndexOf(":");
    const host = this.config.address.slice(0, idx).replace(/^\[|\]$/g, "");
    const port = Number(this.config.address.slice(idx + 1));
    const socket = await new Promise<Socket>((resolve, reject) => {
      const onError = (err: Error) => reject(new SinkError(err.message));
      const s = this.config.tls
        ? connectTls(
            {
              host,
              port,
              servername: /^[\d.:]+$/.test(host) ? undefined : host,
              ca: this.config.ca_file ? readFileSync(this.config.ca_file) : undefined,
              cert: this.config.cert_file ? readFileSync(this.config.cert_file) : undefined,
              key: this.config.key_file ? readFileSync(this.config.key_file) : undefined,
            },
            () => resolve(s),
          )
        : connectTcp({ host, port }, () => resolve(s));
      s.once("error", onError);
      s.setTimeout(10_000, () => s.destroy(new Error("connect timeout")));
    });
    socket.setTimeout(0);
    socket.removeAllListeners("error");
    const fail = (err: Error) => {
      if (this.socket !== socket) return;
      this.failure = err;
      socket.destroy();
    };
    socket.on("error", fail);
    // The receiver never speaks; its FIN or reset means every later write is lost.
    socket.on("data", () => {});
    socket.on("end", () => fail(new Error("the receiver closed the connection")));
    socket.on("close", () => fail(new Error("connection closed")));
    this.socket = socket;
    return socket;
  }
}

/**
 * JSON lines POSTed in batches (application/x-ndjson): Splunk HEC's raw endpoint, Logstash's http input, Vector's
 * http_server source, any webhook collector. A 2xx response acknowledges the whole batch.
 */
export class HttpSink implements AuditSink {
  private readonly header: [string, string] | null;
  private readonly closing = new AbortController();

  constructor(
    readonly id: string,
    private readonly config: Extract<AuditSinkConfig, { type: "http" }>,
    env: Record<string, string | undefined>,
    path: string,
    private readonly timeoutMs = 30_000,
  ) {
    this.header = null;
    if (config.header_env) {
      const raw = env[config.header_env];
      if (!raw) throw new SinkConfigError(`${path}.header_env: environment variable ${config.header_env} is not set`);
      const idx = raw.indexOf(":");
      const name = raw.slice(0, idx).trim();
      // RFC 9110 §5.1: a field name is a token.
      if (idx <= 0 || !/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(name))
        throw new SinkConfigError(`${path}.header_env: ${config.header_env} must hold one "Name: value" header`);
      this.header = [name, raw.slice(idx + 1).trim()];
    }
  }

  get batchSize(): number {
    return this.config.batch_size;
  }

  async send(records: readonly StreamRecord[]): Promise<void> {
    const headers: Record<string, string> = { "content-type": "application/x-ndjson" };
    if (this.header) headers[this.header[0]] = this.header[1];
    let res: Response;
    try {
      res = await fetch(this.config.url, {
        method: "POST",
        headers,
        body: `${records.map((r) => JSON.stringify(r)).join("\n")}\n`,
        signal: AbortSignal.any([AbortSignal.timeout(this.timeoutMs), this.closing.signal]),
      });
    } catch (err) {
      throw new SinkError((err as Error).message);
    }
    await res.body?.cancel().catch(() => {});
    if (res.status < 200 || res.status > 299) throw new SinkError(`the collector answered HTTP ${res.status}`);
  }

  /** Abandons a batch in flight (shutdown); it was not acknowledged, so it is sent again after the restart. */
  close(): void {
    this.closing.abort();
  }
}

/** Builds the configured sinks; throws SinkConfigError naming `audit.sinks[i]` for a bad entry. */
export function buildSinks(
  sinks: readonly AuditSinkConfig[],
  env: Record<string, string | undefined>,
  origin: SyslogOrigin,
): AuditSink[] {
  const seen = new Map<string, number>();
  return sinks.map((sink, i) => {
    const path = `audit.sinks[${i}]`;
    const id = sinkId(sink);
    const other = seen.get(id);
    if (other !== undefined)
      throw new SinkConfigError(`${path}: same sink as audit.sinks[${other}] (${id}); give one of them a name`);
    seen.set(id, i);
    if (sink.type === "syslog") {
      if (Boolean(sink.cert_file) !== Boolean(sink.key_file))
        throw new SinkConfigError(`${path}: cert_file and key_file go together`);
      if (!sink.tls && (sink.ca_file || sink.cert_file))
        throw new SinkConfigError(`${path}: ca_file, cert_file and key_file need tls = true`);
      return new SyslogSink(id, sink, origin);
    }
    return new HttpSink(id, sink, env, path);
  });
}
