import { eq, sql } from "drizzle-orm";
import { tenants } from "../store/schema/tenancy";
import type { DbLike } from "../store/index";
import { preparedPerHandle } from "../store/prepared";
import { InvalidInputError } from "../shared/errors";
import { CrossTenantError, type TenantRecord, type TenantScope } from "./scope";

/**
 * THE tenant resolver: how every surface (and the audit row of every call) turns the tenant a caller names into
 * a tenant id. One rule:
 * - a tenant is named by its id, or by its name, case-insensitively and ignoring surrounding spaces
 *   ("ContosoCare" is contosocare; "contosocare clinic" is "ContosoCare Clinic");
 * - a tenant in the caller's scope resolves; two in scope with that name are ambiguous (invalid input listing them);
 * - anything else is refused with ONE public message built from the input and the caller's own tenants only
 *   ("not found or not permitted" plus a did-you-mean), so a caller cannot tell a typo from another customer's
 *   tenant. Only the audit outcome differs: `denied_cross_tenant` (CrossTenantError) when the name is a real
 *   tenant outside the scope, `invalid_input` (UnknownTenantError) when it names no tenant at all.
 */

export interface NamedTenant extends TenantRecord {
  name: string;
}

/** A tenant reference that names no tenant at all (a typo). Reads exactly like a CrossTenantError. */
export class UnknownTenantError extends InvalidInputError {
  constructor(
    readonly requested: string,
    publicMessage: string,
  ) {
    super(publicMessage, { entity: "tenant", requested });
    this.name = "UnknownTenantError";
  }
}

const fold = (s: string): string => s.trim().toLowerCase();

/** Every tenant (in `all`) the reference names exactly, by id or case-insensitive name; the id as given first. */
export function matchTenants<T extends NamedTenant>(ref: string, all: readonly T[]): T[] {
  const byExactId = all.filter((t) => t.id === ref);
  if (byExactId.length > 0) return byExactId;
  const wanted = fold(ref);
  if (wanted.length === 0) return [];
  const byId = all.filter((t) => t.id.toLowerCase() === wanted);
  if (byId.length > 0) return byId;
  return all.filter((t) => fold(t.name) === wanted);
}

const MAX_SUGGESTIONS = 10;

/** Edit distance (Levenshtein), bounded inputs only: ids and names are short. */
function distance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++)
      row[j] = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = row;
  }
  return prev[b.length]!;
}

function resembles(wanted: string, t: NamedTenant): boolean {
  const keys = [t.id.toLowerCase(), fold(t.name), fold(t.name).replace(/[^\p{L}\p{N}]+/gu, "")];
  const compact = wanted.replace(/[^\p{L}\p{N}]+/gu, "");
  if (compact.length === 0) return false;
  return keys.some(
    (k) =>
      (compact.length >= 3 && (k.includes(compact) || compact.includes(k))) ||
      distance(compact, k.slice(0, 64)) <= Math.max(1, Math.floor(compact.length / 4)),
  );
}

const label = (t: NamedTenant): string => `${t.id} (${t.name})`;

/**
 * The refusal every unresolved reference gets. Pure in (ref, visible): it never looks at tenants outside the
 * scope, so its bytes cannot depend on whether the reference exists elsewhere.
 */
export function notResolvedMessage(ref: string, visible: readonly NamedTenant[]): string {
  const close = visible.filter((t) => resembles(fold(ref).slice(0, 128), t));
  const sorted = [...visible].sort((a, b) => a.id.localeCompare(b.id));
  if (close.length > 0)
    return `not found or not permitted: no tenant you may act on has that id or name. Did you mean ${close
      .slice(0, MAX_SUGGESTIONS)
      .map(label)
      .join(", ")}? Pass its tenant id.`;
  if (sorted.length === 0) return "not found or not permitted: you may act on no tenants.";
  const more = sorted.length > MAX_SUGGESTIONS ? `, and ${sorted.length - MAX_SUGGESTIONS} more` : "";
  return `not found or not permitted: no tenant you may act on has that id or name. You may act on ${sorted
    .slice(0, MAX_SUGGESTIONS)
    .map(label)
    .join(", ")}${more}.`;
}

/**
 * Resolves a tenant reference against `all` (the tenants table, disabled ones included) within `scope`.
 * Pure; `scope.require` records the tenant acted on for the audit row.
 */
export function resolveTenantRef<T extends NamedTenant>(scope: TenantScope, all: readonly T[], ref: string): T {
  if (fold(ref).length === 0) throw new InvalidInputError("tenant must not be empty: pass a tenant id or name");
  const visible = all.filter((t) => !t.disabled && scope.includes(t.id));
  const found = matchTenants(ref, visible);
  if (found.length === 1) {
    scope.require(found[0]!.id);
    return found[0]!;
  }
  if (found.length > 1)
    throw new InvalidInputError(
      `more than one tenant you may act on is named that: ${found.map(label).join(", ")}. Pass the tenant id.`,
    );
  const message = notResolvedMessage(ref, visible);
  // Only to tell a cross-tenant probe from a typo in the audit log; nothing from this lookup reaches the caller.
  if (matchTenants(ref, all).length > 0) throw new CrossTenantError("tenant", ref, message);
  throw new UnknownTenantError(ref, message);
}

// Every tool that names a tenant reads this; built once per database handle rather than on each call.
const allTenants = preparedPerHandle((db) => db.select().from(tenants).prepare());

/** Every tenant row (all columns) read now; what resolveTenant resolves against. */
export async function loadTenants(db: DbLike): Promise<(typeof tenants.$inferSelect)[]> {
  return await allTenants(db).execute();
}

/** One tenant row by id, through the caller's handle (inside a write's transaction for a write). */
const tenantById = preparedPerHandle((db) =>
  db
    .select()
    .from(tenants)
    .where(eq(tenants.id, sql.placeholder("id")))
    .prepare(),
);

/**
 * resolveTenantRef over the tenants table as it is now. When the scope carries the rows it was admitted by (the
 * tenant directory on an embedded file), the reference is matched against them and only the one tenant it names is
 * read again, through the caller's handle, which for a write is its own transaction: if that tenant is still
 * enabled and still where the scope saw it (kind and parent, which decide membership), that fresh row is the
 * answer; otherwise, and for anything that does not name exactly one tenant, the whole table is read as without a
 * snapshot, so a tenant disabled or moved after the call was admitted is refused by the write that names it, and
 * every refusal reads exactly as before.
 */
export async function resolveTenant(db: DbLike, scope: TenantScope, ref: string): Promise<typeof tenants.$inferSelect> {
  if (scope.snapshot) {
    const found = matchTenants(
      ref,
      scope.snapshot.filter((t) => !t.disabled && scope.includes(t.id)),
    );
    if (found.length === 1 && fold(ref).length > 0) {
      const admitted = found[0]!;
      const [now] = await tenantById(db).execute({ id: admitted.id });
      if (now && !now.disabled && now.kind === admitted.kind && now.parentId === admitted.parentId) {
        scope.require(now.id);
        return now;
      }
    }
  }
  return resolveTenantRef(scope, await loadTenants(db), ref);
}
