import { type } from "arktype";
import { resolveTenantRef, UnknownTenantError } from "../../tenancy/resolve";
import { CrossTenantError } from "../../tenancy/scope";
import { parseCsvTable } from "../csv";
import { RecordReader, storable } from "../fields";
import { csvKind, type ImportKind, type PrepareContext, type TenantRow } from "../kind";
import type { ImportProblem } from "../report";
import { type ContactEntry, planContactUpsert } from "../../surfaces/cavalier/contacts";
import { onFirstUse } from "../../shared/on-first-use";

export const CONTACT_COLUMNS = ["tenant", "name", "email", "title", "phone", "primary"] as const;

/** arktype's email rule (the one string.email keyword every other validator in the tree would use). */
const Email = onFirstUse(() => type("string.email"));

/**
 * Parses and validates the rows: each row's tenant (id or name, or `--tenant` when the cell is empty) through the
 * one tenant resolver, within the caller's scope. A tenant outside the scope is a problem on its line that reads
 * like a typo, and is reported back so the import is audited `denied_cross_tenant`.
 */
export function parseContactsCsv(
  text: string,
  ctx: Pick<PrepareContext, "scope" | "tenants" | "target">,
):
  | { ok: true; entries: ContactEntry[]; records: number }
  | { ok: false; problems: ImportProblem[]; records: number; deniedTenants: string[] } {
  const parsed = parseCsvTable(text, {
    columns: CONTACT_COLUMNS,
    required: ctx.target ? ["name", "email"] : ["tenant", "name", "email"],
  });
  if (!parsed.ok) return { ok: false, problems: parsed.problems, records: 0, deniedTenants: [] };
  const { table } = parsed;
  const problems: ImportProblem[] = [];
  const denied = new Set<string>();
  const resolved = new Map<string, TenantRow | string>();
  const firstLine = new Map<string, number>();
  const entries: ContactEntry[] = [];
  for (const record of table.records) {
    const r = new RecordReader(table, record, problems);
    const before = problems.length;
    const ref = r.optional("tenant");
    let tenant: TenantRow | undefined;
    if (ref === undefined) {
      if (ctx.target) tenant = ctx.target;
      else
        r.problem("tenant", "is empty; expected a tenant id or name (or pass --tenant for rows that leave it empty)");
    } else {
      let hit = resolved.get(ref.toLowerCase());
      if (hit === undefined) {
        try {
          hit = resolveTenantRef(ctx.scope, ctx.tenants, ref);
        } catch (err) {
          if (!(err instanceof CrossTenantError || err instanceof UnknownTenantError)) throw err;
          if (err instanceof CrossTenantError) denied.add(ref);
          hit = err.message;
        }
        resolved.set(ref.toLowerCase(), hit);
      }
      if (typeof hit === "string") r.problem("tenant", `"${ref}": ${hit}`);
      else tenant = hit;
    }
    const name = storable(r, "name", r.required("name", "the contact's name"), 500);
    const email = r.required("email", "an email address");
    if (email !== undefined && (email.length > 320 || !Email().allows(email)))
      r.problem("email", `"${email}" is not an email address (name@example.com)`);
    const title = storable(r, "title", r.optional("title"), 500) ?? "";
    const phone = storable(r, "phone", r.optional("phone"), 100) ?? "";
    const isPrimary = r.boolean("primary", false);
    if (problems.length > before) continue;
    const key = `${tenant!.id}\u0000${email!.toLowerCase()}`;
    const first = firstLine.get(key);
    if (first !== undefined) {
      r.problem(
        "email",
        `${email} is already a contact of ${tenant!.name} on line ${first}; one row per tenant and email`,
      );
      continue;
    }
    firstLine.set(key, record.line);
    entries.push({ line: record.line, tenantId: tenant!.id, name: name!, email: email!, title, phone, isPrimary });
  }
  if (problems.length > 0) return { ok: false, problems, records: table.records.length, deniedTenants: [...denied] };
  return { ok: true, entries, records: table.records.length };
}

export const contactsKind: ImportKind = csvKind({
  name: "contacts",
  summary: "customer contacts (CSV: tenant, name, email, title, phone, primary), upserted by tenant and email",
  async prepareText(text, ctx) {
    const parsed = parseContactsCsv(text, ctx);
    if (!parsed.ok) return parsed;
    const upsert = await planContactUpsert(ctx.db, parsed.entries, ctx.now);
    const tenantIds = [...new Set(parsed.entries.map((e) => e.tenantId))];
    return { ok: true, plan: { ...upsert, records: parsed.records, tenantIds, notes: [] } };
  },
});
