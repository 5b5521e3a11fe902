import type { Config, SurfaceName } from "../config/schema";
import { bearerChallenge, type BearerVerifier } from "../oauth/bearer";
import type { SurfaceAuth } from "./auth";

/** The surfaces' auth port, served by the OAuth feature's verifier (ctx.oauth.verifier) and challenge builder. */
export function oauthSurfaceAuth(config: Config, verifier: Pick<BearerVerifier, "verify">): SurfaceAuth {
  return {
    verify: (token: string, surface: SurfaceName) => verifier.verify(token, surface),
    challenge: (surface, kind, opts) => bearerChallenge(config, surface, kind, opts),
  };
}
