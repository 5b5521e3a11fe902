import { connect, type Socket } from "node:net";

/**
 * HTTP/1.1 over a bare TCP socket, for what fetch cannot do: send a malformed Host, request line or header, and
 * watch a keep-alive connection request by request (which request got which answer, or a reset).
 */

export interface RawResponse {
  status: number;
  /** Header names lower-cased; repeated headers joined with ", ". */
  headers: Map<string, string>;
  body: Buffer;
}

/** Status line and headers at the front of `buf`, and where the body starts; null until the head is complete. */
function parseHead(buf: Buffer): { status: number; headers: Map<string, string>; bodyStart: number } | null {
  const end = buf.indexOf("\r\n\r\n");
  if (end < 0) return null;
  const lines = buf.subarray(0, end).toString("latin1").split("\r\n");
  const m = /^HTTP\/1\.[01] (\d{3})/.exec(lines[0] ?? "");
  if (!m) throw new Error(`not an HTTP response: ${JSON.stringify(lines[0])}`);
  const headers = new Map<string, string>();
  for (const line of lines.slice(1)) {
    const i = line.indexOf(":");
    if (i <= 0) continue;
    const name = line.slice(0, i).trim().toLowerCase();
    const value = line.slice(i + 1).trim();
    headers.set(name, headers.has(name) ? `${headers.get(name)}, ${value}` : value);
  }
  return { status: Number(m[1]), headers, bodyStart: end + 4 };
}

/** Parses one response from the front of `buf`: the response and the bytes it used, or null if incomplete. */
export function parseResponse(buf: Buffer, requestMethod = "GET"): { response: RawResponse; used: number } | null {
  const head = parseHead(buf);
  if (!head) return null;
  const { status, headers } = head;
  let offset = head.bodyStart;
  const noBody = requestMethod === "HEAD" || status === 204 || status === 304 || (status >= 100 && status < 200);
  if (noBody) return { response: { status, headers, body: Buffer.alloc(0) }, used: offset };
  if (/chunked/i.test(headers.get("transfer-encoding") ?? "")) {
    const chunks: Buffer[] = [];
    for (;;) {
      const lineEnd = buf.indexOf("\r\n", offset);
      if (lineEnd < 0) return null;
      const size = Number.parseInt(buf.subarray(offset, lineEnd).toString("latin1"), 16);
      if (size === 0) {
        const trailerEnd = buf.indexOf("\r\n", lineEnd + 2);
        if (trailerEnd < 0) return null;
        return { response: { status, headers, body: Buffer.concat(chunks) }, used: trailerEnd + 2 };
      }
      if (buf.length < lineEnd + 2 + size + 2) return null;
      chunks.push(buf.subarray(lineEnd + 2, lineEnd + 2 + size));
      offset = lineEnd + 2 + size + 2;
    }
  }
  const length = Number(headers.get("content-length") ?? "0");
  if (buf.length < offset + length) return null;
  return { response: { status, headers, body: buf.subarray(offset, offset + length) }, used: offset + length };
}

export type OneShotResult =
  | { kind: "response"; status: number; headers: Map<string, string>; body: string; ms: number }
  | { kind: "closed"; ms: number; error: string | null }
  | { kind: "timeout"; ms: number };

/**
 * Opens a connection, writes `raw`, and waits for the first response's status line and headers (with `opts.body`,
 * for the whole response), for the connection to close without one, or for `timeoutMs`.
 *
 * The write side stays open: Bun takes a client's half-close as an abort and drops a request whose handler has not
 * answered yet, which would hide real answers. `opts.halfCloseAfterMs` half-closes anyway, for a message the client
 * never finishes (the server would otherwise rightly wait for the rest of it).
 */
export function sendOnce(
  port: number,
  raw: Uint8Array | string,
  timeoutMs: number,
  opts: { body?: boolean; method?: string; halfCloseAfterMs?: number } = {},
): Promise<OneShotResult> {
  const started = performance.now();
  return new Promise((resolve) => {
    let buf = Buffer.alloc(0);
    let settled = false;
    const socket = connect(port, "127.0.0.1");
    const finish = (result: OneShotResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(result);
    };
    /** The response so far: whole, or (when `ended` or no body is wanted) its head with what body arrived. */
    const fromBuffer = (ended: boolean): OneShotResult | null => {
      let head: ReturnType<typeof parseHead>;
      let whole: ReturnType<typeof parseResponse>;
      try {
        head = parseHead(buf);
        // An interim answer (100 Continue to `Expect: 100-continue`) is not the answer to the request.
        while (head && head.status >= 100 && head.status < 200 && head.status !== 101) {
          buf = buf.subarray(head.bodyStart);
          head = parseHead(buf);
        }
        whole = head && parseResponse(buf, opts.method);
      } catch {
        return { kind: "response", status: -1, headers: new Map(), body: buf.toString("latin1"), ms: 0 };
      }
      if (!head) return null;
      const ms = performance.now() - started;
      if (whole) {
        const { status, headers, body } = whole.response;
        return { kind: "response", status, headers, body: body.toString("utf8"), ms };
      }
      if (opts.body && !ended) return null;
      const body = buf.subarray(head.bodyStart).toString("utf8");
      return { kind: "response", status: head.status, headers: head.headers, body, ms };
    };
    const timer = setTimeout(() => finish({ kind: "timeout", ms: performance.now() - started }), timeoutMs);
    socket.on("connect", () => {
      socket.write(raw);
      if (opts.halfCloseAfterMs !== undefined) {
        const end = setTimeout(() => socket.end(), opts.halfCloseAfterMs);
        socket.once("close", () => clearTimeout(end));
      }
    });
    socket.on("data", (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      const r = fromBuffer(false);
      if (r) finish(r);
    });
    socket.on("error", (e: NodeJS.ErrnoException) => {
      finish(fromBuffer(true) ?? { kind: "closed", ms: performance.now() - started, error: e.code ?? e.message });
    });
    socket.on("close", () => {
      finish(fromBuffer(true) ?? { kind: "closed", ms: performance.now() - started, error: null });
    });
  });
}

/** One request on a keep-alive connection and what became of it. */
export interface KeepAliveExchange {
  request: string;
  /** The whole request reached the kernel's send buffer. */
  written: boolean;
  response: RawResponse | null;
  /** Set when the connection failed or closed while this request waited for its answer. */
  error: string | null;
}

/**
 * A keep-alive connection that sends the next request as soon as the previous answer arrived, until told to stop,
 * until an answer says `Connection: close`, or until the connection fails.
 */
export class KeepAliveClient {
  readonly exchanges: KeepAliveExchange[] = [];
  readonly done: Promise<void>;
  private socket: Socket;
  private buf = Buffer.alloc(0);
  private stopping = false;
  private current: KeepAliveExchange | null = null;
  private method = "GET";

  constructor(
    port: number,
    private readonly nextRequest: (i: number) => { method: string; raw: string },
  ) {
    this.socket = connect(port, "127.0.0.1");
    this.done = new Promise((resolve) => {
      this.socket.on("close", () => {
        if (this.current && !this.current.response) this.current.error ??= "closed without a response";
        resolve();
      });
    });
    this.socket.on("connect", () => this.send());
    this.socket.on("error", (e: NodeJS.ErrnoException) => {
      if (this.current && !this.current.response) this.current.error = e.code ?? e.message;
    });
    this.socket.on("data", (d: Buffer) => this.onData(d));
  }

  /** Sends no further request; the connection closes after the answer in flight. */
  stop(): void {
    this.stopping = true;
    if (!this.current || this.current.response) this.socket.end();
  }

  private send(): void {
    if (this.stopping) {
      this.socket.end();
      return;
    }
    const { method, raw } = this.nextRequest(this.exchanges.length);
    const exchange: KeepAliveExchange = { request: raw, written: false, response: null, error: null };
    this.method = method;
    this.current = exchange;
    this.exchanges.push(exchange);
    this.socket.write(raw, () => {
      exchange.written = true;
    });
  }

  private onData(d: Buffer): void {
    this.buf = Buffer.concat([this.buf, d]);
    for (;;) {
      const parsed = parseResponse(this.buf, this.method);
      if (!parsed || !this.current) return;
      this.buf = this.buf.subarray(parsed.used);
      this.current.response = parsed.response;
      if (/close/i.test(parsed.response.headers.get("connection") ?? "")) {
        this.stopping = true;
        this.socket.end();
        return;
      }
      this.send();
    }
  }
}
