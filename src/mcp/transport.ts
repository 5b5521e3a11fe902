import type { Transport, TransportSendOptions } from "@modelcontextprotocol/sdk/shared/transport.js";
import type { JSONRPCMessage, JSONRPCRequest, MessageExtraInfo, RequestId } from "@modelcontextprotocol/sdk/types.js";

type Reply = { jsonrpc: "2.0"; id: RequestId } & ({ result: unknown } | { error: { code: number; message: string; data?: unknown } });

interface PendingRequest {
  originalId: RequestId;
  resolve: (reply: Reply) => void;
}

/**
 * A thin SDK `Transport` that lets ONE long-lived SDK `Server` answer every HTTP request of a surface.
 *
 * The SDK refuses to reuse a stateless transport or to connect a connected Server, and a Server per request
 * costs ~85 µs (mostly its own JSON Schema validator). Here each HTTP request hands its JSON-RPC request to
 * `dispatch`, which gives it a transport-unique id (clients all start at id 1, and the Server keys its
 * in-flight handlers by id), and resolves with the Server's response once `send` sees that id, with the
 * client's id restored. Server-initiated messages (progress, logging) have no HTTP stream to go to in
 * plain-JSON mode and are dropped.
 */
export class DispatchTransport implements Transport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: <T extends JSONRPCMessage>(message: T, extra?: MessageExtraInfo) => void;

  private nextId = 1;
  private readonly pending = new Map<number, PendingRequest>();

  async start(): Promise<void> {}

  async close(): Promise<void> {
    for (const [id, p] of this.pending) {
      p.resolve({ jsonrpc: "2.0", id: p.originalId, error: { code: -32000, message: "Server shutting down" } });
      this.pending.delete(id);
    }
    this.onclose?.();
  }

  /** Hands one request to the Server; resolves with its response (carrying the caller's id). */
  dispatch(request: JSONRPCRequest, extra: MessageExtraInfo, internalId = this.allocateId()): Promise<Reply> {
    return new Promise<Reply>((resolve) => {
      this.pending.set(internalId, { originalId: request.id, resolve });
      this.onmessage?.({ ...request, id: internalId }, extra);
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
    p.resolve({ ...(message as Reply), id: p.originalId });
  }
}
