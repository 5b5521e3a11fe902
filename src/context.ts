import type { AuditLog } from "./audit/log";
import type { Config } from "./config/schema";
import type { Clock } from "./shared/clock";
import type { OAuthServices } from "./oauth/services";
import type { PasswordVerifier } from "./oauth/throttle";
import type { Logger } from "./shared/log";
import type { Store } from "./store/index";
import type { ObservabilityServices } from "./observability/index";

/**
 * What every feature receives: plain dependencies, never a request context.
 * Features that own long-lived services (signing keys, token verifier) add them in main.ts's composition.
 */
export interface AppContext {
  readonly config: Config;
  readonly store: Store;
  readonly clock: Clock;
  readonly log: Logger;
  readonly audit: AuditLog;
  /** Optional injectable fetch (CIMD documents in tests). */
  readonly fetch?: typeof fetch;
  /** OAuth keys, bearer verifier and CIMD resolver; set by the OAuth feature at start (src/oauth/index.ts). */
  readonly oauth?: OAuthServices;
  /** Metrics registry and audit stream lag; set by src/observability/index.ts when features are built. */
  readonly observability?: ObservabilityServices;
  /** Checks a password against its argon2id hash on every sign-in page (injectable so tests can count checks). */
  readonly passwordVerifier: PasswordVerifier;
}
