/**
 * A loopback reverse proxy that adds `Authorization: Bearer <token>` to every request: the conformance suite
 * cannot obtain a token itself. The token is chosen by path (one per surface, since a token
 * is only valid at the surface it was issued for). Host and Origin pass through untouched, so the surface's
 * DNS-rebinding check sees exactly what the suite sent.
 */
export function startTokenProxy(target: string, tokenFor: (pathname: string) => string): { url: string; stop(): void } {
  const upstream = new URL(target);
  const server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    async fetch(req) {
      const url = new URL(req.url);
      const headers = new Headers(req.headers);
      headers.set("authorization", `Bearer ${tokenFor(url.pathname)}`);
      const res = await fetch(`${upstream.origin}${url.pathname}${url.search}`, {
        method: req.method,
        headers,
        body: req.method === "GET" || req.method === "HEAD" ? undefined : await req.arrayBuffer(),
        redirect: "manual",
      });
      return new Response(res.body, { status: res.status, headers: res.headers });
    },
  });
  return { url: `http://127.0.0.1:${server.port}`, stop: () => void server.stop(true) };
}
