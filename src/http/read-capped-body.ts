/**
 * Largest request body any endpoint of the appliance accepts (MCP JSON-RPC, OAuth forms, admin forms): tool
 * arguments and forms are small. Set as Bun.serve's `maxRequestBodySize` on both listeners (oversized bodies,
 * chunked or not, get 413 before any handler runs) and used as the default cap below.
 */
export const MAX_REQUEST_BODY_BYTES = 1024 * 1024;

/**
 * Reads a request (or response) body as UTF-8 text, stopping as soon as more than `max` bytes arrived: a
 * chunked body has no Content-Length, so the cap is enforced on the stream itself rather than after buffering
 * it whole. Returns null when the body is larger than `max` (the stream is cancelled).
 */
export async function readCappedText(
  message: Request | Response,
  max: number = MAX_REQUEST_BODY_BYTES,
): Promise<string | null> {
  const declared = message.headers.get("content-length");
  if (declared !== null && Number(declared) > max) {
    await message.body?.cancel().catch(() => {});
    return null;
  }
  const body = message.body;
  if (!body) return "";
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > max) {
      await reader.cancel().catch(() => {});
      return null;
    }
    chunks.push(value);
  }
  if (chunks.length === 1) return new TextDecoder().decode(chunks[0]);
  return new TextDecoder().decode(Buffer.concat(chunks, size));
}
