import { createServer, type Server, type Socket } from "node:net";
import { createServer as createTlsServer, type TlsOptions } from "node:tls";

/** What a receiver got: each streamed record (audit rows and checkpoints) in arrival order. */
export interface ReceivedRecord {
  type: "audit" | "checkpoint";
  epoch: string;
  seq: number;
  hash: string;
  prev_hash?: string;
  jws?: string;
  action?: string;
  [key: string]: unknown;
}

/** RFC 5424 §6 header + structured data, then the BOM and the JSON record (src/observability/stream/syslog-format.ts). */
const RFC5424 =
  /^<(\d{1,3})>1 (\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d{1,6})?(?:Z|[+-]\d\d:\d\d)) ([\x21-\x7e]{1,255}) ([\x21-\x7e]{1,48}) ([\x21-\x7e]{1,128}) ([\x21-\x7e]{1,32}) (\[audit@32473(?: [a-z_]+="(?:[^"\\\]]|\\["\\\]])*")*\]) \uFEFF(\{.*\})$/s;

/**
 * A syslog collector on loopback that reads RFC 6587 §3.4.1 octet-counted frames byte by byte and rejects any frame
 * that is not a valid RFC 5424 message (the test sees it in `framingErrors`). Can stop and start on the same port.
 */
export class SyslogReceiver {
  readonly records: ReceivedRecord[] = [];
  readonly raw: string[] = [];
  readonly framingErrors: string[] = [];
  private server: Server | null = null;
  private sockets = new Set<Socket>();
  port = 0;

  /** Plain TCP, or TLS (RFC 5425) when `tls` is given (with requestCert, the sink must present a client certificate). */
  async start(port = 0, tls?: TlsOptions): Promise<number> {
    this.server = tls
      ? createTlsServer(tls, (socket) => this.accept(socket))
      : createServer((socket) => this.accept(socket));
    await new Promise<void>((resolve, reject) => {
      this.server!.once("error", reject);
      this.server!.listen(port, "127.0.0.1", () => resolve());
    });
    this.port = (this.server.address() as { port: number }).port;
    return this.port;
  }

  async stop(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
    this.server = null;
  }

  private accept(socket: Socket): void {
    this.sockets.add(socket);
    socket.on("close", () => this.sockets.delete(socket));
    socket.on("error", () => {});
    let buffer = Buffer.alloc(0);
    socket.on("data", (chunk: Buffer) => {
      buffer = Buffer.concat([buffer, chunk]);
      for (;;) {
        const space = buffer.indexOf(0x20);
        if (space < 0) break;
        const lenText = buffer.subarray(0, space).toString("latin1");
        if (!/^[1-9]\d{0,8}$/.test(lenText)) {
          this.framingErrors.push(`bad MSG-LEN ${JSON.stringify(lenText.slice(0, 20))}`);
          socket.destroy();
          return;
        }
        const len = Number(lenText);
        if (buffer.length < space + 1 + len) break;
        const message = buffer.subarray(space + 1, space + 1 + len).toString("utf8");
        buffer = buffer.subarray(space + 1 + len);
        const m = RFC5424.exec(message);
        if (!m) {
          this.framingErrors.push(`not RFC 5424: ${message.slice(0, 120)}`);
          continue;
        }
        this.raw.push(message);
        this.records.push(JSON.parse(m[8]!) as ReceivedRecord);
      }
    });
  }
}

/**
 * An HTTP collector on loopback taking JSON-lines batches. `delayMs` holds each response back (the collector
 * withholding its acknowledgement); `status` lets it refuse batches. Records are kept only for batches it acknowledged.
 */
export class HttpReceiver {
  readonly records: ReceivedRecord[] = [];
  readonly headers: Headers[] = [];
  delayMs = 0;
  status = 200;
  private server: ReturnType<typeof Bun.serve> | null = null;
  port = 0;

  start(port = 0): number {
    this.server = Bun.serve({
      hostname: "127.0.0.1",
      port,
      fetch: async (request) => {
        const body = await request.text();
        this.headers.push(request.headers);
        if (this.delayMs > 0) await new Promise((r) => setTimeout(r, this.delayMs));
        if (this.status !== 200) return new Response("no", { status: this.status });
        if (request.headers.get("content-type") !== "application/x-ndjson")
          return new Response("type", { status: 415 });
        for (const line of body.split("\n")) if (line.length > 0) this.records.push(JSON.parse(line) as ReceivedRecord);
        return new Response(null, { status: 204 });
      },
    });
    this.port = this.server.port!;
    return this.port;
  }

  async stop(): Promise<void> {
    await this.server?.stop(true);
    this.server = null;
  }
}

/** Polls until `predicate` holds or `timeoutMs` passes (then throws with `what`). */
export async function waitFor(
  predicate: () => boolean | Promise<boolean>,
  timeoutMs: number,
  what: string,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
