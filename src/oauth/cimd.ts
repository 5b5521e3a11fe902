import { type } from "arktype";
import { eq } from "drizzle-orm";
import { lookup } from "node:dns/promises";
import { isIP } from "node:net";
import type { Config } from "../config/schema";
import type { Logger } from "../shared/log";
import type { DbLike } from "../store/index";
import { oauthClients } from "../store/schema/oauth";
import { clientFromRow, type OAuthClient } from "./clients";
import { OAuthError } from "./errors";
import { validateRegisteredRedirectUri } from "./redirect-uri";
import { onFirstUse } from "../shared/on-first-use";
import { storableText } from "../shared/string-types";

/**
 * Client ID Metadata Documents (draft-ietf-oauth-client-id-metadata-document; MCP 2025-11-25 "Client ID
 * Metadata Documents"): a client_id that is an https URL names a JSON document describing the client.
 * The fetch is attacker-directed, so it runs behind an SSRF guard (docs/mcp-client-compat.md C8; MCP security best
 * practices "SSRF"): https only; the host resolved first and refused if any address is private, loopback,
 * link-local or a metadata address; no redirects; 5 KB cap; short timeout; JSON only. Successful documents are
 * cached (bounded, Cache-Control honoured up to a cap); failures never are.
 *
 * The checked address is pinned into the connection (DNS-rebinding TOCTOU, docs/mcp-client-compat.md §4.6): the request
 * goes to https://<checked-ip>/path with Host and TLS SNI set to the original hostname, and Bun's fetch
 * `tls.serverName` verifies the server certificate against that hostname (not the IP), so no second DNS lookup
 * happens and certificate checking is unchanged.
 */
export const CIMD_MAX_BYTES = 5 * 1024;
export const CIMD_TIMEOUT_MS = 5_000;
const CACHE_MAX_ENTRIES = 256;
const CACHE_DEFAULT_MS = 5 * 60_000;
const CACHE_CAP_MS = 24 * 3600_000;

/** What the caller sees for any failure to fetch a metadata document (the reason is logged server-side only). */
export const CIMD_FETCH_FAILED = "the client metadata document could not be retrieved";

/** A fetch failure with its specific reason, for the server log only. */
class CimdFetchFailure extends Error {}

export type Resolver = (hostname: string) => Promise<string[]>;
export type AddressGuard = (address: string) => boolean;

export const systemResolver: Resolver = async (hostname) => {
  if (isIP(hostname.replace(/^\[|\]$/g, ""))) return [hostname.replace(/^\[|\]$/g, "")];
  const found = await lookup(hostname, { all: true, verbatim: true });
  return found.map((a) => a.address);
};

function ipv4ToInt(ip: string): number | null {
  const parts = ip.split(".");
  if (parts.length !== 4) return null;
  let n = 0;
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p) || Number(p) > 255) return null;
    n = n * 256 + Number(p);
  }
  return n;
}

/** Special-purpose IPv4 ranges that are not globally reachable (RFC 6890 registry, RFC 7526 for 192.88.99/24). */
const V4_BLOCKED: [string, number][] = [
  ["0.0.0.0", 8],
  ["10.0.0.0", 8],
  ["100.64.0.0", 10],
  ["127.0.0.0", 8],
  ["169.254.0.0", 16],
  ["172.16.0.0", 12],
  ["192.0.0.0", 24],
  ["192.0.2.0", 24],
  ["192.88.99.0", 24],
  ["192.168.0.0", 16],
  ["198.18.0.0", 15],
  ["198.51.100.0", 24],
  ["203.0.113.0", 24],
  ["224.0.0.0", 4],
  ["240.0.0.0", 4],
];

function v4Blocked(ip: string): boolean {
  const n = ipv4ToInt(ip);
  if (n === null) return true;
  return V4_BLOCKED.some(([base, bits]) => {
    const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
    return (n & mask) >>> 0 === (ipv4ToInt(base)! & mask) >>> 0;
  });
}

/** Expands an IPv6 address to 8 16-bit groups, or null. Handles `::` and a trailing dotted IPv4. */
function expandV6(ip: string): number[] | null {
  let s = ip.toLowerCase().split("%")[0]!;
  const tail: number[] = [];
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(s);
  if (v4) {
    const n = ipv4ToInt(v4[1]!);
    if (n === null) return null;
    tail.push(n >>> 16, n & 0xffff);
    s = s.slice(0, -v4[1]!.length);
    if (!s.endsWith("::") && s.endsWith(":")) s = s.slice(0, -1);
  }
  const halves = s.split("::");
  if (halves.length > 2) return null;
  const parse = (h: string) =>
    h === "" ? [] : h.split(":").map((g) => (/^[0-9a-f]{1,4}$/.test(g) ? parseInt(g, 16) : NaN));
  const head = parse(halves[0]!);
  const rest = halves.length === 2 ? parse(halves[1]!) : [];
  const total = 8 - tail.length;
  const fill = halves.length === 2 ? total - head.length - rest.length : 0;
  if (fill < 0) return null;
  const groups = [...head, ...Array(fill).fill(0), ...rest, ...tail];
  if (groups.length !== 8 || groups.some((g) => Number.isNaN(g))) return null;
  return groups;
}

const v4Of = (hi: number, lo: number) => `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;

/**
 * True only for globally routable unicast addresses. IPv4: everything in V4_BLOCKED is refused (loopback, RFC 1918,
 * link-local incl. 169.254.169.254 cloud metadata, CGNAT, documentation, benchmarking, 6to4 relay, multicast,
 * reserved). IPv6 forms that carry an IPv4 address are judged by that address: IPv4-mapped ::ffff:0:0/96,
 * IPv4-translated ::ffff:0:0:0/96, IPv4-compatible ::a.b.c.d, NAT64 64:ff9b::/96 and 6to4 2002::/16 (RFC 3056:
 * the v4 sits in bits 16-47). Otherwise only global unicast 2000::/3 can pass (so ::, ::1, 100::/64 discard,
 * 64:ff9b:1::/48 local NAT64, fc00::/7 ULA, fec0::/10 site-local, fe80::/10 link-local and ff00::/8 multicast are
 * refused), minus 2001::/23 (IETF protocol assignments incl. Teredo 2001::/32, whose embedded address is
 * obfuscated), 2001:db8::/32 and 3fff::/20 (documentation).
 */
export function isPublicAddress(address: string): boolean {
  const ip = address.replace(/^\[|\]$/g, "");
  const kind = isIP(ip);
  if (kind === 4) return !v4Blocked(ip);
  if (kind !== 6) return false;
  const g = expandV6(ip);
  if (!g) return false;
  if (g.every((x) => x === 0)) return false; // ::
  if (g.slice(0, 7).every((x) => x === 0) && g[7] === 1) return false; // ::1
  const zeros = (from: number, to: number) => g.slice(from, to).every((x) => x === 0);
  const mapped = zeros(0, 5) && g[5] === 0xffff; // ::ffff:a.b.c.d (RFC 4291 §2.5.5.2)
  const translated = zeros(0, 4) && g[4] === 0xffff && g[5] === 0; // ::ffff:0:a.b.c.d (RFC 2765)
  const compatible = zeros(0, 6); // ::a.b.c.d (deprecated, RFC 4291 §2.5.5.1)
  const nat64 = g[0] === 0x64 && g[1] === 0xff9b && zeros(2, 6); // 64:ff9b::/96 (RFC 6052)
  if (mapped || translated || compatible || nat64) return !v4Blocked(v4Of(g[6]!, g[7]!));
  if (g[0] === 0x2002) return !v4Blocked(v4Of(g[1]!, g[2]!)); // 6to4 (RFC 3056)
  if ((g[0]! & 0xe000) !== 0x2000) return false; // outside global unicast 2000::/3
  if (g[0] === 0x2001 && g[1]! < 0x0200) return false; // 2001::/23 IETF protocol assignments, incl. Teredo
  if (g[0] === 0x2001 && g[1] === 0x0db8) return false; // 2001:db8::/32 documentation
  if (g[0] === 0x3fff && g[1]! < 0x1000) return false; // 3fff::/20 documentation (RFC 9637)
  return true;
}

const CimdDocument = onFirstUse(() =>
  type({
    client_id: "string",
    client_name: storableText(200),
    redirect_uris: type("0 < string <= 2000").array().atLeastLength(1).atMostLength(20),
    "token_endpoint_auth_method?": "string",
    "token_endpoint_auth_methods_supported?": "string[]",
    "grant_types?": "string[]",
    "response_types?": "string[]",
    "client_secret?": "unknown",
    "client_uri?": "string",
    "logo_uri?": "string",
  }),
);

export function isCimdClientId(clientId: string): boolean {
  return clientId.startsWith("https://");
}

export interface CimdNetwork {
  fetch: typeof fetch;
  resolve: Resolver;
  isAllowedAddress: AddressGuard;
  /** Deadline for the whole fetch (connect, headers and body); CIMD_TIMEOUT_MS unless a test shortens it. */
  timeoutMs: number;
}

/**
 * Resolves CIMD client_ids to clients, upserting them into oauth_clients (so grants reference a row the live
 * check can join, and the token endpoint authenticates them like any public client).
 */
export class CimdResolver {
  private cache = new Map<string, { client: OAuthClient; expiresAt: number }>();
  private network: CimdNetwork;

  constructor(
    private readonly config: Config,
    private readonly db: DbLike,
    private readonly log: Logger,
    network: Partial<CimdNetwork> = {},
  ) {
    this.network = {
      fetch: network.fetch ?? fetch,
      resolve: network.resolve ?? systemResolver,
      isAllowedAddress: network.isAllowedAddress ?? isPublicAddress,
      timeoutMs: network.timeoutMs ?? CIMD_TIMEOUT_MS,
    };
  }

  /** Test hook: replace the resolver, address guard, fetch or timeout (e.g. allow 127.0.0.1 for a local fixture). */
  configureNetwork(network: Partial<CimdNetwork>): void {
    this.network = { ...this.network, ...network };
    this.cache.clear();
  }

  /** Throws OAuthError invalid_client (rendered locally by the caller: the client is not validated yet). */
  async resolve(clientId: string, now: number): Promise<OAuthClient> {
    if (!this.config.oauth.client_id_metadata_documents)
      throw new OAuthError("invalid_client", "URL client_ids (metadata documents) are not accepted here");
    const url = this.checkUrl(clientId);
    // An administrator's deletion sticks: the URL stays blocked (one primary-key read, also for cached documents).
    const [existing] = await this.db
      .select({ deletedAt: oauthClients.deletedAt })
      .from(oauthClients)
      .where(eq(oauthClients.id, clientId))
      .limit(1);
    if (existing?.deletedAt != null)
      throw new OAuthError("invalid_client", "this application was removed by an administrator");
    const cached = this.cache.get(clientId);
    if (cached && cached.expiresAt > now) return cached.client;
    const { doc, ttlMs } = await this.fetchDocument(url);
    const client = await this.validateAndStore(clientId, doc, now);
    if (ttlMs > 0) {
      if (this.cache.size >= CACHE_MAX_ENTRIES) this.cache.delete(this.cache.keys().next().value!);
      this.cache.set(clientId, { client, expiresAt: now + ttlMs });
    }
    return client;
  }

  private checkUrl(clientId: string): URL {
    const bad = (why: string) => new OAuthError("invalid_client", `client_id URL ${why}`);
    if (clientId.length > 2000 || /[\s\u0000-\u001f\u007f\\#]/.test(clientId)) throw bad("is malformed");
    let url: URL;
    try {
      url = new URL(clientId);
    } catch {
      throw bad("is malformed");
    }
    if (url.protocol !== "https:") throw bad("must use https");
    if (url.username || url.password) throw bad("must not contain userinfo");
    if (url.pathname === "/" || url.pathname === "") throw bad("must contain a path");
    if (/\/\.\.?(\/|$)/.test(url.pathname)) throw bad("must not contain dot segments");
    const allowed = this.config.oauth.cimd_allowed_hosts;
    const host = url.hostname.toLowerCase();
    if (allowed.length > 0 && !allowed.some((h) => host === h.toLowerCase() || host.endsWith(`.${h.toLowerCase()}`))) {
      throw bad(`host ${host} is not in oauth.cimd_allowed_hosts`);
    }
    return url;
  }

  /**
   * Every way the fetch can fail gives the caller the SAME message (CIMD_FETCH_FAILED), so the fetcher cannot be
   * used to learn whether a host resolves, is internal, is listening, redirects or stalls (MCP security best
   * practices, "SSRF"). The specific reason goes to the server log only (URL without query, no bodies).
   */
  private async fetchDocument(url: URL): Promise<{ doc: unknown; ttlMs: number }> {
    try {
      return await this.fetchDocumentOrThrow(url);
    } catch (err) {
      const reason =
        err instanceof CimdFetchFailure ? err.message : `unexpected ${err instanceof Error ? err.name : typeof err}`;
      this.log.warn("client metadata document refused", { client_id: `${url.origin}${url.pathname}`, reason });
      throw new OAuthError("invalid_client", CIMD_FETCH_FAILED);
    }
  }

  private async fetchDocumentOrThrow(url: URL): Promise<{ doc: unknown; ttlMs: number }> {
    const fail = (why: string) => new CimdFetchFailure(why);
    let addresses: string[];
    try {
      addresses = await this.network.resolve(url.hostname);
    } catch {
      throw fail("its host does not resolve");
    }
    if (addresses.length === 0) throw fail("its host does not resolve");
    // Refuse if ANY address is internal: a mixed answer is the classic rebinding set-up.
    if (addresses.some((a) => !this.network.isAllowedAddress(a)))
      throw fail("its host resolves to a private, loopback or link-local address");
    // One deadline for connect, headers AND body: a server that answers headers and then trickles the body must
    // not hold the authorization request open.
    const signal = AbortSignal.timeout(this.network.timeoutMs);
    let res: Response | undefined;
    let lastError: unknown;
    // Each address was checked above; try them in resolver order (a dual-stack host on an IPv4-only appliance),
    // all under the one deadline.
    for (const address of addresses) {
      try {
        res = await this.network.fetch(pinnedUrl(url, address), {
          redirect: "manual",
          signal,
          headers: { accept: "application/json", host: url.host },
          // SNI and certificate verification for the hostname (an IP literal is verified as itself, no SNI: RFC 6066 §3).
          ...(isIP(bareHost(url.hostname)) ? {} : { tls: { serverName: url.hostname } }),
        });
        break;
      } catch (err) {
        lastError = err;
        if (signal.aborted) break;
      }
    }
    if (!res) {
      throw fail(
        signal.aborted
          ? "fetching it timed out"
          : `fetching it failed (${lastError instanceof Error ? lastError.name : "error"})`,
      );
    }
    if (res.status >= 300 && res.status < 400) throw fail("it redirects (redirects are not followed)");
    if (res.status !== 200) throw fail(`it answered HTTP ${res.status}`);
    const ctype = (res.headers.get("content-type") ?? "").toLowerCase();
    if (!/^application\/([a-z.+-]*\+)?json\b/.test(ctype)) throw fail("it is not JSON");
    let text: string | null;
    try {
      text = await readCappedBody(res, CIMD_MAX_BYTES, signal);
    } catch (err) {
      throw fail(
        signal.aborted ? "reading it timed out" : `reading it failed (${err instanceof Error ? err.name : "error"})`,
      );
    }
    if (text === null) throw fail(`it is larger than ${CIMD_MAX_BYTES} bytes`);
    let doc: unknown;
    try {
      doc = JSON.parse(text);
    } catch {
      throw fail("it is not valid JSON");
    }
    return { doc, ttlMs: cacheTtl(res.headers.get("cache-control")) };
  }

  private async validateAndStore(clientId: string, raw: unknown, now: number): Promise<OAuthClient> {
    const bad = (why: string) => new OAuthError("invalid_client", `the client metadata document is invalid: ${why}`);
    const doc = CimdDocument()(raw);
    if (doc instanceof type.errors) throw bad(doc.summary);
    // The document must describe itself: client_id equal to the URL, byte for byte (CIMD §4.1).
    if (doc.client_id !== clientId) throw bad("its client_id differs from the URL it was fetched from");
    if (doc.client_secret !== undefined) throw bad("it must not contain a client_secret");
    // Negotiate a method we support: none + PKCE. ChatGPT's document prefers private_key_jwt but lists
    // ["none","private_key_jwt"] as supported (docs/mcp-client-compat.md C7); secret-based methods make no sense here.
    const method = doc.token_endpoint_auth_method ?? "none";
    const supported = doc.token_endpoint_auth_methods_supported ?? [method];
    if (method !== "none" && !supported.includes("none"))
      throw bad(`token_endpoint_auth_method ${method} is not supported (use none with PKCE)`);
    for (const r of doc.redirect_uris) {
      try {
        validateRegisteredRedirectUri(r);
      } catch (err) {
        throw bad((err as OAuthError).description);
      }
    }
    const metadata = {
      client_id: clientId,
      client_name: doc.client_name,
      redirect_uris: doc.redirect_uris,
      token_endpoint_auth_method: "none",
      ...(doc.client_uri ? { client_uri: doc.client_uri } : {}),
    };
    const values = {
      id: clientId,
      source: "cimd" as const,
      name: doc.client_name,
      redirectUris: JSON.stringify(doc.redirect_uris),
      tokenEndpointAuthMethod: "none" as const,
      secretHash: null,
      metadata: JSON.stringify(metadata),
      createdAt: now,
      deletedAt: null,
    };
    const [row] = await this.db
      .insert(oauthClients)
      .values(values)
      .onConflictDoUpdate({
        target: oauthClients.id,
        set: {
          name: values.name,
          redirectUris: values.redirectUris,
          metadata: values.metadata,
          tokenEndpointAuthMethod: "none",
        },
      })
      .returning();
    return clientFromRow(row!);
  }
}

const bareHost = (host: string) => host.replace(/^\[|\]$/g, "");

/** `url` with its host replaced by the checked address (bracketed if IPv6), port, path and query kept. */
function pinnedUrl(url: URL, address: string): string {
  const pinned = new URL(url.href);
  pinned.hostname = isIP(bareHost(address)) === 6 ? `[${bareHost(address)}]` : bareHost(address);
  return pinned.href;
}

/** The body as text, or null when it exceeds `max` bytes. Throws when `signal` aborts (timeout) or the read fails. */
async function readCappedBody(res: Response, max: number, signal: AbortSignal): Promise<string | null> {
  if (Number(res.headers.get("content-length") ?? "0") > max) return null;
  const reader = res.body?.getReader();
  if (!reader) return "";
  // Not every fetch implementation ties the body stream to the request's signal: cancel the read ourselves.
  const aborted = new Promise<never>((_, reject) => {
    const onAbort = () => reject(signal.reason instanceof Error ? signal.reason : new Error("aborted"));
    if (signal.aborted) onAbort();
    else signal.addEventListener("abort", onAbort, { once: true });
  });
  aborted.catch(() => {});
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    for (;;) {
      const { done, value } = await Promise.race([reader.read(), aborted]);
      if (done) break;
      size += value.byteLength;
      if (size > max) return null;
      chunks.push(value);
    }
  } finally {
    await reader.cancel().catch(() => {});
  }
  return new TextDecoder().decode(Buffer.concat(chunks));
}

/** Cache lifetime from Cache-Control: no-store/no-cache -> 0; max-age capped at 24 h; default 5 min. */
export function cacheTtl(header: string | null): number {
  const h = (header ?? "").toLowerCase();
  if (/no-store|no-cache|private/.test(h)) return 0;
  const m = /max-age=(\d+)/.exec(h);
  if (m) return Math.min(Number(m[1]) * 1000, CACHE_CAP_MS);
  return CACHE_DEFAULT_MS;
}
