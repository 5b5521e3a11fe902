/**
 * Largest request body any endpoint of the appliance accepts (MCP JSON-RPC, OAuth forms, admin forms): tool
 * arguments and forms are small. Set as Bun.serve's `maxRequestBodySize` on both listeners (oversized bodies,
 * chunked or not, get 413 before any handler runs) and used as the default cap below.
 */
export const MAX_REQUEST_BODY_BYTES = 1024 * 1024;

/**
 * Reads a request (or response) body, stopping as soon as more than `max` bytes arrived: a chunked body has no
 * Content-Length, so the cap is enforced on the stream itself rather than after buffering it whole. Returns null
 * when the body is larger than `max` (the stream is cancelled).
 */
export async function readCappedBytes(
  message: Request | Response,
  max: number = MAX_REQUEST_BODY_BYTES,
): Promise<Uint8Array<ArrayBuffer> | null> {
  const declared = message.headers.get("content-length");
  if (declared !== null && Number(declared) > max) {
    await message.body?.cancel().catch(() => {});
    return null;
  }
  const body = message.body;
  if (!body) return new Uint8Array(0);
  const reader = body.getReader();
  const chunks: Uint8Array<ArrayBuffer>[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > max) {
      await reader.cancel().catch(() => {});
      return null;
    }
    chunks.push(value as Uint8Array<ArrayBuffer>);
  }
  return chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size);
}

/** readCappedBytes decoded as UTF-8 text. */
export async function readCappedText(
  message: Request | Response,
  max: number = MAX_REQUEST_BODY_BYTES,
): Promise<string | null> {
  const bytes = await readCappedBytes(message, max);
  return bytes === null ? null : new TextDecoder().decode(bytes);
}
