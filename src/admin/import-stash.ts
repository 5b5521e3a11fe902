import { randomToken } from "../shared/crypto";

/** An uploaded file the admin has seen the dry-run report of, held until they apply it. */
export interface StagedImport {
  userId: string;
  kind: string;
  tenant: string | undefined;
  encoding: "utf-8" | "windows-1252" | undefined;
  fileName: string;
  bytes: Uint8Array;
  fileSha256: string;
  expiresAt: number;
}

/** How long a checked file waits for Apply. */
export const STAGE_TTL_MS = 15 * 60_000;
/** Total bytes held for all admins; the oldest staged file is dropped first. */
const MAX_STAGED_BYTES = 64 * 1024 * 1024;

/**
 * Files checked on the Import page, held in this process's memory so Apply needs no second upload and works
 * without JavaScript (a file input cannot be refilled by the server). Keyed by a random token that is bound to the
 * admin who uploaded it; bounded in total size and time. Apply still runs the whole import again: the stash only
 * saves the upload, it never vouches for the file.
 */
export class ImportStash {
  private readonly entries = new Map<string, StagedImport>();

  put(entry: Omit<StagedImport, "expiresAt">, now: number): string {
    this.prune(now);
    const token = randomToken(24);
    this.entries.set(token, { ...entry, expiresAt: now + STAGE_TTL_MS });
    let total = 0;
    for (const e of this.entries.values()) total += e.bytes.byteLength;
    for (const [key, e] of this.entries) {
      if (total <= MAX_STAGED_BYTES || key === token) break;
      this.entries.delete(key);
      total -= e.bytes.byteLength;
    }
    return token;
  }

  /** The staged file for this admin, removed from the stash; null when unknown, expired or another admin's. */
  take(token: string, userId: string, now: number): StagedImport | null {
    this.prune(now);
    const entry = this.entries.get(token);
    if (!entry || entry.userId !== userId) return null;
    this.entries.delete(token);
    return entry;
  }

  private prune(now: number): void {
    for (const [key, e] of this.entries) if (e.expiresAt <= now) this.entries.delete(key);
  }
}
