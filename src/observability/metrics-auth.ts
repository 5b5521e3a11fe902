import { eq } from "drizzle-orm";
import type { SurfaceName } from "../config/schema";
import { SURFACES } from "../config/schema";
import { findAdminApiTokenUser } from "../admin/api-tokens";
import { json } from "../http/responses";
import { constantTimeEqual, sha256Hex } from "../shared/crypto";
import type { DbLike } from "../store/index";
import { users } from "../store/schema/tenancy";

export interface MetricsAuthDeps {
  db: DbLike;
  now: number;
  /** The dedicated metrics token (from the environment variable `[metrics] token_env`), if one is set. */
  metricsToken: string | undefined;
  /** True when the bearer is a live OAuth access token for some surface (a tenant-scoped credential). */
  isAccessToken: (token: string) => Promise<boolean>;
}

const CHALLENGE = { "www-authenticate": 'Bearer realm="metrics"' };

/**
 * Who may scrape /metrics on a listener that is not loopback: the dedicated metrics token, or a platform admin's
 * API token. Any other valid credential is tenant-scoped and is refused with 403; a missing or unknown one with
 * 401 and a Bearer challenge (RFC 6750 §3). Returns the refusal, or null to serve.
 */
export async function refuseMetricsScrape(
  authorization: string | null,
  deps: MetricsAuthDeps,
): Promise<Response | null> {
  const match = /^Bearer ([\x21-\x7e]{1,4096})$/i.exec(authorization ?? "");
  if (!match) return json({ error: "invalid_token", error_description: "a metrics token is required" }, 401, CHALLENGE);
  const token = match[1]!;
  // Compare digests so the comparison's length does not depend on the secret.
  if (deps.metricsToken && constantTimeEqual(sha256Hex(token), sha256Hex(deps.metricsToken))) return null;
  const admin = await findAdminApiTokenUser(deps.db, token, deps.now);
  if (admin) {
    const [user] = await deps.db
      .select({ role: users.role, disabled: users.disabled })
      .from(users)
      .where(eq(users.id, admin.userId))
      .limit(1);
    if (user && !user.disabled && user.role === "platform_admin") return null;
    return forbidden();
  }
  if (await deps.isAccessToken(token)) return forbidden();
  return json({ error: "invalid_token", error_description: "unknown metrics token" }, 401, CHALLENGE);
}

function forbidden(): Response {
  return json(
    {
      error: "insufficient_scope",
      error_description: "metrics need the metrics token or a platform admin's API token; this token is tenant-scoped",
    },
    403,
  );
}

/** The surfaces to try an access token against (tokens are audience-bound to one surface, RFC 8707). */
export const ACCESS_TOKEN_SURFACES: readonly SurfaceName[] = SURFACES;
