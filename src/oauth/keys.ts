import { desc, gt, isNull, or } from "drizzle-orm";
import { calculateJwkThumbprint, exportJWK, generateKeyPair, importJWK, type CryptoKey, type JWK } from "jose";
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from "node:crypto";
import { chmodSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import type { Config } from "../config/schema";
import type { Clock } from "../shared/clock";
import type { Logger } from "../shared/log";
import type { DbLike } from "../store/index";
import { oauthSigningKeys } from "../store/schema/oauth";

export const SIGNING_ALG = "ES256";
export const MASTER_KEY_ENV = "CAVARIDGE_MASTER_KEY";

export class MasterKeyError extends Error {
  readonly code = "master_key_unavailable";
}

/**
 * The master secret that encrypts signing keys at rest: the CAVARIDGE_MASTER_KEY environment variable if set,
 * else the file `secrets.master_key_file`, created with mode 0600 on first start (exclusive create, so two
 * processes starting together end up reading the same file). Returns the 32-byte AES key derived from it with
 * HKDF-SHA-256 (RFC 5869), never the secret itself.
 */
export function loadMasterKey(config: Config, env: Record<string, string | undefined>, log?: Logger): Buffer {
  return loadMasterSubKey(config, env, "oauth-signing-keys-v1", log);
}

/**
 * A 32-byte key for one purpose, derived from the master secret with HKDF-SHA-256 (RFC 5869 section 2): the `info`
 * label separates purposes, so a key for one use (e.g. "mcp-request-state-v1") says nothing about another.
 */
export function loadMasterSubKey(
  config: Config,
  env: Record<string, string | undefined>,
  info: string,
  log?: Logger,
): Buffer {
  let secret = env[MASTER_KEY_ENV]?.trim();
  if (!secret) {
    const path = config.secrets.master_key_file;
    try {
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, `${randomBytes(32).toString("base64url")}\n`, { mode: 0o600, flag: "wx" });
      chmodSync(path, 0o600);
      log?.info("created master key file", { path });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST")
        throw new MasterKeyError(`cannot create ${path}: ${(err as Error).message}`);
    }
    try {
      secret = readFileSync(path, "utf8").trim();
      if ((statSync(path).mode & 0o077) !== 0)
        log?.warn("master key file is readable by group or others; chmod 600 it", { path });
    } catch (err) {
      throw new MasterKeyError(`cannot read ${path}: ${(err as Error).message}`);
    }
  }
  if (!secret || secret.length < 32)
    throw new MasterKeyError(
      `the master secret must be at least 32 characters (${MASTER_KEY_ENV} or secrets.master_key_file)`,
    );
  return Buffer.from(hkdfSync("sha256", Buffer.from(secret, "utf8"), "cavaridge", info, 32));
}

/** AES-256-GCM with a random 96-bit IV; the kid is bound as associated data so ciphertexts cannot be swapped between rows. */
export function encryptPrivateJwk(key: Buffer, kid: string, jwk: JWK): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", key, iv);
  cipher.setAAD(Buffer.from(kid));
  const ct = Buffer.concat([cipher.update(JSON.stringify(jwk), "utf8"), cipher.final()]);
  return ["v1", iv.toString("base64url"), cipher.getAuthTag().toString("base64url"), ct.toString("base64url")].join(
    ".",
  );
}

export function decryptPrivateJwk(key: Buffer, kid: string, sealed: string): JWK {
  const [v, iv, tag, ct] = sealed.split(".");
  if (v !== "v1" || !iv || !tag || !ct) throw new MasterKeyError(`signing key ${kid}: unknown encryption format`);
  try {
    const decipher = createDecipheriv("aes-256-gcm", key, Buffer.from(iv, "base64url"));
    decipher.setAAD(Buffer.from(kid));
    decipher.setAuthTag(Buffer.from(tag, "base64url"));
    const pt = Buffer.concat([decipher.update(Buffer.from(ct, "base64url")), decipher.final()]);
    return JSON.parse(pt.toString("utf8")) as JWK;
  } catch {
    throw new MasterKeyError(
      `signing key ${kid} cannot be decrypted: the master secret differs from the one that encrypted it`,
    );
  }
}

/** Generates an ES256 key pair and stores it (private half encrypted). Returns its kid. */
export async function insertSigningKey(db: DbLike, masterKey: Buffer, now: number): Promise<string> {
  const { publicKey, privateKey } = await generateKeyPair(SIGNING_ALG, { extractable: true });
  const publicJwk = await exportJWK(publicKey);
  const kid = await calculateJwkThumbprint(publicJwk);
  const privateJwk = await exportJWK(privateKey);
  await db.insert(oauthSigningKeys).values({
    kid,
    alg: SIGNING_ALG,
    publicJwk: JSON.stringify({ ...publicJwk, kid, alg: SIGNING_ALG, use: "sig" }),
    privateJwkEnc: encryptPrivateJwk(masterKey, kid, privateJwk),
    createdAt: now,
  });
  return kid;
}

/**
 * `cavaridge keys rotate`: a new active key; the previous active keys retire but stay published (and accepted)
 * until every access token they signed has expired (access TTL plus a minute of clock skew).
 */
export async function rotateSigningKeys(
  db: DbLike,
  masterKey: Buffer,
  config: Config,
  now: number,
): Promise<{ kid: string; retired: string[] }> {
  const active = await db
    .select({ kid: oauthSigningKeys.kid })
    .from(oauthSigningKeys)
    .where(isNull(oauthSigningKeys.retiredAt));
  const publishUntil = now + (config.oauth.access_token_ttl_seconds + 60) * 1000;
  await db.update(oauthSigningKeys).set({ retiredAt: now, publishUntil }).where(isNull(oauthSigningKeys.retiredAt));
  const kid = await insertSigningKey(db, masterKey, now + 1);
  return { kid, retired: active.map((a) => a.kid) };
}

interface LoadedKey {
  kid: string;
  publicJwk: JWK;
  verifyKey: CryptoKey;
  createdAt: number;
  retired: boolean;
  publishUntil: number | null;
}

/**
 * The signing keys of this process. Keys are imported once and cached by kid, because the MCP hot path verifies
 * a token on every request. Another process may rotate keys: an unknown kid triggers a reload (at most every
 * few seconds, so random kids cannot force a database read per request), and the signing key is re-read
 * every minute.
 */
export class KeyStore {
  private keys = new Map<string, LoadedKey>();
  private signing: { kid: string; key: CryptoKey } | null = null;
  private loadedAt = 0;
  private reloading: Promise<void> | null = null;

  constructor(
    private readonly db: DbLike,
    private readonly masterKey: Buffer,
    private readonly clock: Clock,
  ) {}

  /** First start: create a key if there is no active one, then load. */
  async bootstrap(): Promise<void> {
    // Check and insert in one write transaction (libSQL begins IMMEDIATE): two processes starting together on an
    // empty database would otherwise each see no key and each create an "active" one.
    await this.db.transaction(async (tx) => {
      const active = await tx
        .select({ kid: oauthSigningKeys.kid })
        .from(oauthSigningKeys)
        .where(isNull(oauthSigningKeys.retiredAt))
        .limit(1);
      if (active.length === 0) await insertSigningKey(tx, this.masterKey, this.clock());
    });
    await this.reload();
  }

  async reload(): Promise<void> {
    if (this.reloading) return this.reloading;
    this.reloading = (async () => {
      const now = this.clock();
      const rows = await this.db
        .select()
        .from(oauthSigningKeys)
        .where(or(isNull(oauthSigningKeys.publishUntil), gt(oauthSigningKeys.publishUntil, now)))
        .orderBy(desc(oauthSigningKeys.createdAt));
      const next = new Map<string, LoadedKey>();
      for (const row of rows) {
        const cached = this.keys.get(row.kid);
        const publicJwk = JSON.parse(row.publicJwk) as JWK;
        next.set(row.kid, {
          kid: row.kid,
          publicJwk,
          verifyKey: cached?.verifyKey ?? ((await importJWK(publicJwk, SIGNING_ALG)) as CryptoKey),
          createdAt: row.createdAt,
          retired: row.retiredAt !== null,
          publishUntil: row.publishUntil,
        });
      }
      const newest = rows.find((r) => r.retiredAt === null);
      if (newest && this.signing?.kid !== newest.kid) {
        const jwk = decryptPrivateJwk(this.masterKey, newest.kid, newest.privateJwkEnc);
        this.signing = { kid: newest.kid, key: (await importJWK(jwk, SIGNING_ALG)) as CryptoKey };
      }
      this.keys = next;
      this.loadedAt = now;
    })().finally(() => {
      this.reloading = null;
    });
    return this.reloading;
  }

  /** The active private key (re-read every minute so a rotation by another process is picked up). */
  async signingKey(): Promise<{ kid: string; key: CryptoKey }> {
    if (!this.signing || this.clock() - this.loadedAt > 60_000) await this.reload();
    if (!this.signing) throw new MasterKeyError("no active signing key; run `cavaridge keys rotate`");
    return this.signing;
  }

  /** The public key for `kid`, or null. Reloads at most every 5 s on a miss. */
  async verificationKey(kid: string | undefined): Promise<CryptoKey | null> {
    if (!kid) return null;
    const now = this.clock();
    let key = this.keys.get(kid);
    if (!key && now - this.loadedAt > 5_000) {
      await this.reload();
      key = this.keys.get(kid);
    }
    if (!key || (key.publishUntil !== null && key.publishUntil <= now)) return null;
    return key.verifyKey;
  }

  /** RFC 7517 JWK Set of every published key. */
  async jwks(): Promise<{ keys: JWK[] }> {
    if (this.clock() - this.loadedAt > 60_000) await this.reload();
    const now = this.clock();
    return {
      keys: [...this.keys.values()]
        .filter((k) => k.publishUntil === null || k.publishUntil > now)
        .map((k) => k.publicJwk),
    };
  }
}
