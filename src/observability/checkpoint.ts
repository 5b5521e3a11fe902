import type { Client } from "@libsql/client";
import { importJWK, jwtVerify, SignJWT, type CryptoKey, type JWK } from "jose";
import { SIGNING_ALG } from "../oauth/keys";

/**
 * The JWS header `typ` of an audit checkpoint (RFC 7515 §4.1.9, RFC 8725 §3.11 explicit typing). Access tokens are
 * `at+jwt` and the bearer verifier requires that, so a checkpoint can never be presented as an access token, and
 * verifying a checkpoint requires this value, so a token can never pass as a checkpoint.
 */
export const CHECKPOINT_TYP = "audit-checkpoint+jwt";

export interface CheckpointClaims {
  /** The appliance (its public_url, the OAuth issuer). */
  iss: string;
  iat: number;
  epoch: string;
  seq: number;
  hash: string;
}

export class CheckpointError extends Error {
  constructor(
    readonly code: "malformed" | "bad_signature" | "unknown_key",
    message: string,
  ) {
    super(message);
  }
}

export interface CheckpointSigner {
  signingKey(): Promise<{ kid: string; key: CryptoKey }>;
}

/** Signs the chain head with the appliance's active signing key (src/oauth/keys.ts). */
export async function signCheckpoint(
  signer: CheckpointSigner,
  head: { epoch: string; seq: number; hash: string },
  issuer: string,
  now: number,
): Promise<string> {
  const { kid, key } = await signer.signingKey();
  return await new SignJWT({ epoch: head.epoch, seq: head.seq, hash: head.hash })
    .setProtectedHeader({ alg: SIGNING_ALG, kid, typ: CHECKPOINT_TYP })
    .setIssuer(issuer)
    .setIssuedAt(Math.floor(now / 1000))
    .sign(key);
}

/**
 * Every signing public key the appliance ever had, retired ones included: the JWKS drops a retired key once its
 * access tokens have expired, but checkpoints signed with it stay verifiable for as long as the rows exist.
 * Signing key rows are never deleted (src/oauth/keys.ts), only retired.
 */
export async function checkpointVerificationKeys(client: Client): Promise<Map<string, JWK>> {
  const res = await client.execute("SELECT kid, public_jwk FROM oauth_signing_keys");
  return new Map(res.rows.map((r) => [String(r.kid), JSON.parse(String(r.public_jwk)) as JWK]));
}

/** Verifies a checkpoint's signature and `typ`; does NOT compare it with the local log (see verify-command.ts). */
export async function verifyCheckpoint(jws: string, keys: Map<string, JWK>): Promise<CheckpointClaims> {
  let payload: Record<string, unknown>;
  try {
    ({ payload } = await jwtVerify(
      jws,
      async (header) => {
        const jwk = header.kid ? keys.get(header.kid) : undefined;
        if (!jwk)
          throw new CheckpointError("unknown_key", `no signing key ${header.kid ?? "(no kid)"} in this database`);
        return (await importJWK(jwk, SIGNING_ALG)) as CryptoKey;
      },
      { algorithms: [SIGNING_ALG], typ: CHECKPOINT_TYP },
    ));
  } catch (err) {
    if (err instanceof CheckpointError) throw err;
    throw new CheckpointError("bad_signature", `the checkpoint does not verify: ${(err as Error).message}`);
  }
  const { iss, iat, epoch, seq, hash } = payload;
  if (
    typeof iss !== "string" ||
    typeof iat !== "number" ||
    typeof epoch !== "string" ||
    typeof seq !== "number" ||
    !Number.isInteger(seq) ||
    typeof hash !== "string" ||
    !/^[0-9a-f]{64}$/.test(hash)
  )
    throw new CheckpointError("malformed", "the checkpoint lacks iss, iat, epoch, seq or hash");
  return { iss, iat, epoch, seq, hash };
}

/**
 * The compact JWS in a saved checkpoint: the JWS itself, a JSON line from the HTTP stream (`{"type":"checkpoint",
 * "jws":...}`), or a syslog message whose JSON part holds it.
 */
export function extractCheckpointJws(text: string): string | null {
  const compact = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;
  const trimmed = text.trim();
  if (compact.test(trimmed)) return trimmed;
  // A JSON line, or an RFC 5424 message whose MSG (after the BOM) is the JSON record.
  const bom = trimmed.indexOf("\uFEFF");
  const json = bom >= 0 ? trimmed.slice(bom + 1) : trimmed;
  try {
    const record = JSON.parse(json) as { type?: unknown; jws?: unknown };
    return record.type === "checkpoint" && typeof record.jws === "string" && compact.test(record.jws)
      ? record.jws
      : null;
  } catch {
    return null;
  }
}
