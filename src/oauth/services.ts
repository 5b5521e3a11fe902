import type { AppContext } from "../context";
import type { BearerVerifier } from "./bearer";
import type { CimdResolver } from "./cimd";
import type { KeyStore } from "./keys";

/** Long-lived OAuth services, built once at start and handed by src/features.ts to the features that need them. */
export interface OAuthServices {
  readonly keys: KeyStore;
  readonly verifier: BearerVerifier;
  readonly cimd: CimdResolver;
}

/** What the endpoint handlers need: the shared context plus the OAuth services. */
export interface OAuthDeps {
  readonly ctx: AppContext;
  readonly services: OAuthServices;
}
