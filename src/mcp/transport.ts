import type {
  JSONRPCMessage,
  JSONRPCRequest,
  MessageExtraInfo,
  RequestId,
  Transport,
  TransportSendOptions,
} from "@modelcontextprotocol/server";

type Reply = { jsonrpc: "2.0"; id: RequestId } & (
  | { result: unknown }
  | { error: { code: number; message: string; data?: unknown } }
);

interface PendingRequest {
  originalId: RequestId;
  resolve: (reply: Reply) => void;
  /** performance.now() when dispatched (the backstop timeout). */
  since: number;
}

/** JSON-RPC "Internal error": what a request gets when the Server will never answer it. */
export const UNANSWERED_CODE = -32603;
export const UNANSWERED_MESSAGE = "Internal error: the server could not answer this request";

/**
 * Longest a request may wait for the Server before the transport answers it with an internal error. Well above
 * any legitimate tool latency (tools are local database work, seconds at worst); it exists only so that a
 * message the Server drops can never pin a request, its in-flight state and the client forever.
 */
export const DEFAULT_DISPATCH_TIMEOUT_MS = 5 * 60_000;

/**
 * A thin SDK `Transport` that lets ONE long-lived SDK `Server` answer every HTTP request of a surface.
 *
 * The SDK refuses to reuse a stateless transport or to connect a connected Server, and a Server per request
 * costs ~85 µs (mostly its own JSON Schema validator). Here each HTTP request hands its JSON-RPC request to
 * `dispatch`, which gives it a transport-unique id (clients all start at id 1, and the Server keys its
 * in-flight handlers by id), and resolves with the Server's response once `send` sees that id, with the
 * client's id restored. Server-initiated messages (progress, logging) have no HTTP stream to go to in
 * plain-JSON mode and are dropped.
 *
 * Every dispatched request is settled, whatever the Server does: the SDK's Protocol reports a message it cannot
 * classify through `onerror` ("Unknown message type") and never answers it, so an error reported while a
 * request is being handed over (`serverError`, wired to the Server's `onerror`) answers that request, and a
 * sweep answers anything older than the timeout. Callers should still validate shapes first (surface.ts does).
 */
export class DispatchTransport implements Transport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: <T extends JSONRPCMessage>(message: T, extra?: MessageExtraInfo) => void;

  private nextId = 1;
  private readonly pending = new Map<number, PendingRequest>();
  /** The id being handed to the Server right now (onmessage runs the Protocol's classification synchronously). */
  private dispatching: number | null = null;
  private sweeper: ReturnType<typeof setInterval> | null = null;

  constructor(private readonly timeoutMs: number = DEFAULT_DISPATCH_TIMEOUT_MS) {}

  async start(): Promise<void> {
    // One cheap timer for all requests instead of a setTimeout per request on the hot path.
    this.sweeper = setInterval(() => this.sweep(), Math.max(10, Math.min(30_000, Math.floor(this.timeoutMs / 4))));
    (this.sweeper as { unref?: () => void }).unref?.();
  }

  /** Answers every request pending longer than the timeout with an internal error. */
  sweep(now: number = performance.now()): void {
    for (const [id, p] of this.pending) {
      if (now - p.since >= this.timeoutMs) this.settle(id, UNANSWERED_MESSAGE);
    }
  }

  /**
   * To be called from the Server's `onerror`. An error raised while a request is being handed over belongs to
   * that request (the Protocol rejected it and will not answer): it is answered now. Other errors cannot be
   * attributed to one request; the sweep covers those.
   */
  serverError(_error: Error): void {
    if (this.dispatching !== null) this.settle(this.dispatching, UNANSWERED_MESSAGE);
  }

  /** Number of requests waiting for the Server (tests, diagnostics). */
  get pendingCount(): number {
    return this.pending.size;
  }

  private settle(id: number, message: string, code = UNANSWERED_CODE): void {
    const p = this.pending.get(id);
    if (!p) return;
    this.pending.delete(id);
    p.resolve({ jsonrpc: "2.0", id: p.originalId, error: { code, message } });
  }

  async close(): Promise<void> {
    if (this.sweeper) clearInterval(this.sweeper);
    this.sweeper = null;
    for (const [id, p] of this.pending) {
      p.resolve({ jsonrpc: "2.0", id: p.originalId, error: { code: -32000, message: "Server shutting down" } });
      this.pending.delete(id);
    }
    this.onclose?.();
  }

  /** Hands one request to the Server; resolves with its response (carrying the caller's id). */
  dispatch(request: JSONRPCRequest, extra: MessageExtraInfo, internalId = this.allocateId()): Promise<Reply> {
    return new Promise<Reply>((resolve) => {
      this.pending.set(internalId, { originalId: request.id, resolve, since: performance.now() });
      this.dispatching = internalId;
      try {
        this.onmessage?.({ ...request, id: internalId }, extra);
      } catch {
        this.settle(internalId, UNANSWERED_MESSAGE);
      } finally {
        this.dispatching = null;
      }
    });
  }

  /** Reserves the id a request will carry inside the Server (so per-call state can be keyed by it first). */
  allocateId(): number {
    const id = this.nextId;
    this.nextId = id >= Number.MAX_SAFE_INTEGER ? 1 : id + 1;
    return id;
  }

  async send(message: JSONRPCMessage, _options?: TransportSendOptions): Promise<void> {
    if (!("id" in message) || message.id === undefined || "method" in message) return;
    const id = message.id as number;
    const p = this.pending.get(id);
    if (!p) return;
    this.pending.delete(id);
    // The Server builds each response for this one send; it is answered with the caller's id in place.
    const reply = message as Reply;
    reply.id = p.originalId;
    p.resolve(reply);
  }
}
