import { type } from "arktype";

/**
 * The appliance configuration, as it stands in the TOML file after environment overrides.
 * Every object is closed ("+": "reject"), so a misspelt key is an error that names it,
 * rather than a setting silently ignored.
 */

const listen = type(/^(\[[0-9a-fA-F:]+\]|[A-Za-z0-9.-]+):\d{1,5}$/).describe("a host:port such as 127.0.0.1:8787");

const surfaceUrl = type("string.url").describe("an absolute URL with no path, such as https://cavalier.example.com");

export const SurfaceUrlsSection = type({
  "+": "reject",
  "forge?": surfaceUrl,
  "cavalier?": surfaceUrl,
  "aegis?": surfaceUrl,
});

export const ServerSection = type({
  "+": "reject",
  public_url: type("string.url").describe("an absolute http(s) URL such as https://mcp.example.com"),
  listen: listen.default("127.0.0.1:8787"),
  "tls_cert_file?": "string > 0",
  "tls_key_file?": "string > 0",
  /** Extra Host header values accepted besides public_url's host (DNS-rebinding allowlist). */
  allowed_hosts: type("string[]").default(() => []),
  /** Number of reverse proxies in front of us whose X-Forwarded-For we trust (0 = none). */
  trusted_proxies: type("0 <= number.integer <= 5").default(0),
  /**
   * Optional per-surface hostnames (docs/mcp-client-compat.md §5.2 option 1): surface -> base URL with no path, e.g.
   * cavalier = "https://cavalier.example.com". The surface is then also served at `<url>/mcp`, routed by Host.
   * Absent (the default): every surface lives under public_url only. Cross-checked in load.ts.
   */
  "surface_urls?": SurfaceUrlsSection,
});

export const AdminSection = type({
  "+": "reject",
  listen: listen.default("127.0.0.1:8788"),
  /** The admin listener refuses a non-loopback address unless this is true. */
  allow_remote: "boolean = false",
  enabled: "boolean = true",
});

export const DatabaseSection = type({
  "+": "reject",
  url: type(/^(file:|libsql:\/\/|https?:\/\/|:memory:)/)
    .describe("a file: path, libsql:// or http(s):// URL")
    .default("file:./data/cavaridge.db"),
  /** Name of the environment variable that holds the libSQL auth token. Never the token itself. */
  auth_token_env: type(/^[A-Z_][A-Z0-9_]*$/).default("CAVARIDGE_DB_AUTH_TOKEN"),
});

export const SecretsSection = type({
  "+": "reject",
  /** File holding the master secret that encrypts signing keys at rest (install.sh creates it). */
  master_key_file: "string > 0 = './data/master.key'",
});

export const OAuthSection = type({
  "+": "reject",
  access_token_ttl_seconds: type("60 <= number.integer <= 86400").default(3600),
  refresh_token_ttl_seconds: type("3600 <= number.integer <= 31536000").default(2592000),
  authorization_code_ttl_seconds: type("10 <= number.integer <= 600").default(60),
  confirmation_ttl_seconds: type("30 <= number.integer <= 1800").default(300),
  /** Open dynamic client registration (RFC 7591). */
  dynamic_registration: "boolean = true",
  /** Dynamically registered clients that never obtained a token this many days after registering are pruned. */
  prune_unused_clients_after_days: type("1 <= number.integer <= 3650").default(90),
  /** Client ID Metadata Documents: fetch https:// client_ids. */
  client_id_metadata_documents: "boolean = true",
  /** Hosts whose CIMD client_ids are accepted; empty = any public https host. */
  cimd_allowed_hosts: type("string[]").default(() => ["chatgpt.com", "claude.ai", "claude.com", "vscode.dev"]),
  login_max_failures: type("1 <= number.integer <= 100").default(5),
  login_lockout_seconds: type("10 <= number.integer <= 86400").default(900),
});

/** `[metrics]`: the Prometheus endpoint (src/observability/). */
export const MetricsSection = type({
  "+": "reject",
  /** Also serve /metrics on this address, so a remote Prometheus does not need the admin console opened up. */
  "listen?": listen,
  /** Name of the environment variable holding the dedicated metrics bearer token. Never the token itself. */
  token_env: type(/^[A-Z_][A-Z0-9_]*$/).default("CAVARIDGE_METRICS_TOKEN"),
});

const envName = type(/^[A-Z_][A-Z0-9_]*$/).describe("an environment variable name such as SPLUNK_HEC_HEADER");
const sinkName = type(/^[a-z0-9][a-z0-9_-]{0,62}$/).describe("a lowercase name such as siem");

/** `[[audit.sinks]] type = "syslog"`: RFC 5424 over TCP (RFC 6587 octet counting), TLS optional (RFC 5425). */
export const SyslogSinkEntry = type({
  "+": "reject",
  type: "'syslog'",
  /** Names the sink's stored position; defaults to type and address, so changing the address starts afresh. */
  "name?": sinkName,
  address: listen,
  tls: "boolean = false",
  "ca_file?": "string > 0",
  "cert_file?": "string > 0",
  "key_file?": "string > 0",
});

/** `[[audit.sinks]] type = "http"`: JSON lines POSTed in batches (Splunk HEC raw, Logstash, Vector, webhooks). */
export const HttpSinkEntry = type({
  "+": "reject",
  type: "'http'",
  "name?": sinkName,
  url: type("string.url").describe("an absolute http(s) URL"),
  /** Name of the environment variable that holds one `Name: value` header, e.g. `Authorization: Splunk <token>`. */
  "header_env?": envName,
  batch_size: type("1 <= number.integer <= 5000").default(200),
});

export const AuditSinkEntry = SyslogSinkEntry.or(HttpSinkEntry);
export type AuditSinkConfig = typeof AuditSinkEntry.infer;

/** `[audit]`: where committed audit rows are streamed, and how often a signed checkpoint goes with them. */
export const AuditSection = type({
  "+": "reject",
  sinks: AuditSinkEntry.array().default(() => []),
  checkpoint_every_rows: type("1 <= number.integer <= 1000000").default(1000),
  checkpoint_every_minutes: type("1 <= number.integer <= 1440").default(15),
});

export const SurfaceName = type("'forge' | 'cavalier' | 'aegis'");
export type SurfaceName = typeof SurfaceName.infer;
export const SURFACES: readonly SurfaceName[] = ["forge", "cavalier", "aegis"];
/** The short name of each surface, as the consent page and the admin Servers page show it (serverInfo: src/mcp/server.ts). */
export const SURFACE_DISPLAY_NAMES: Readonly<Record<SurfaceName, string>> = {
  forge: "Forge",
  cavalier: "Cavalier",
  aegis: "Aegis",
};

export const SurfacesSection = type({
  "+": "reject",
  forge: "boolean = true",
  cavalier: "boolean = true",
  aegis: "boolean = true",
});

export const LogSection = type({
  "+": "reject",
  level: "'debug' | 'info' | 'warn' | 'error' = 'info'",
});

/** The demo (config.example.toml): never on by default, and `serve` refuses it on a non-loopback URL. */
export const DemoSection = type({
  "+": "reject",
  /** Seed the demo tenants with demo data on the first start over an empty database. */
  seed: "boolean = false",
});

/**
 * Role policy the tools enforce. technician_max_discount_bps: the largest per-line discount (basis points) on a
 * quote a technician may mark sent; above it, an msp_admin or platform_admin must send it (and so approve it).
 */
export const PolicySection = type({
  "+": "reject",
  technician_max_discount_bps: type("0 <= number.integer <= 10000").default(1500),
});

export const Currency = type(/^[A-Z]{3}$/).describe("an ISO 4217 code such as USD");

export const TenantEntry = type({
  "+": "reject",
  id: type(/^[a-z0-9][a-z0-9-]{1,62}$/).describe("a lowercase slug such as contosocare"),
  name: "string > 0",
  kind: "'msp' | 'client' | 'individual'",
  "parent?": "string",
  currency: Currency.default("USD"),
  /** Sales tax / VAT in basis points (2000 = 20%). */
  tax_rate_bps: type("0 <= number.integer <= 10000").default(0),
  region: "string = 'US'",
  disabled: "boolean = false",
});

export const Role = type("'platform_admin' | 'msp_admin' | 'individual_owner' | 'technician'");
export type Role = typeof Role.infer;

export const UserEntry = type({
  "+": "reject",
  email: "string.email",
  name: "string > 0",
  tenant: "string > 0",
  role: Role,
  password_hash: type(/^\$argon2id\$/).describe("an argon2id hash (cavaridge user hash-password)"),
  disabled: "boolean = false",
});

export const ConfigSchema = type({
  "+": "reject",
  server: ServerSection,
  admin: AdminSection.default(() => AdminSection.assert({})),
  database: DatabaseSection.default(() => DatabaseSection.assert({})),
  secrets: SecretsSection.default(() => SecretsSection.assert({})),
  oauth: OAuthSection.default(() => OAuthSection.assert({})),
  surfaces: SurfacesSection.default(() => SurfacesSection.assert({})),
  log: LogSection.default(() => LogSection.assert({})),
  demo: DemoSection.default(() => DemoSection.assert({})),
  policy: PolicySection.default(() => PolicySection.assert({})),
  metrics: MetricsSection.default(() => MetricsSection.assert({})),
  audit: AuditSection.default(() => AuditSection.assert({})),
  tenants: TenantEntry.array().atLeastLength(1),
  users: UserEntry.array().default(() => []),
});

export type Config = typeof ConfigSchema.infer;

/** The sections whose scalar keys CAVARIDGE_<SECTION>_<KEY> may override, with their schemas. */
export const OVERRIDABLE_SECTIONS = {
  server: ServerSection,
  admin: AdminSection,
  database: DatabaseSection,
  secrets: SecretsSection,
  oauth: OAuthSection,
  surfaces: SurfacesSection,
  log: LogSection,
  demo: DemoSection,
  policy: PolicySection,
  metrics: MetricsSection,
} as const;

/** The keys a section declares (from its arktype schema, so the list cannot drift). */
export function sectionKeys(section: keyof typeof OVERRIDABLE_SECTIONS): string[] {
  const schema = OVERRIDABLE_SECTIONS[section] as unknown as { props: readonly { key: string }[] };
  return schema.props.map((p) => p.key);
}
export type TenantConfig = typeof TenantEntry.infer;
export type UserConfig = typeof UserEntry.infer;
