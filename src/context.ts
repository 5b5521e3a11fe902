import type { AuditLog } from "./audit/log";
import type { Config } from "./config/schema";
import type { Clock } from "./shared/clock";
import type { PasswordVerifier } from "./oauth/throttle";
import type { Logger } from "./shared/log";
import type { Store } from "./store/index";

/**
 * What every feature receives: plain dependencies, never a request context. Long-lived services one feature
 * owns and another needs (the OAuth bearer verifier, the metrics registry) are not here: src/features.ts builds
 * them and hands them to the features that use them as explicit arguments.
 */
export interface AppContext {
  readonly config: Config;
  readonly store: Store;
  readonly clock: Clock;
  readonly log: Logger;
  readonly audit: AuditLog;
  /** Optional injectable fetch (CIMD documents in tests). */
  readonly fetch?: typeof fetch;
  /** Checks a password against its argon2id hash on every sign-in page (injectable so tests can count checks). */
  readonly passwordVerifier: PasswordVerifier;
}
