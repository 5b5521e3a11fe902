import { describe, expect, test } from "bun:test";
import { InvalidInputError } from "../../../src/shared/errors";
import { type NamedTenant, resolveTenantRef, UnknownTenantError } from "../../../src/tenancy/resolve";
import { allowedTenantIds, CrossTenantError, type Principal, TenantScope } from "../../../src/tenancy/scope";

const T = (id: string, name: string, kind: NamedTenant["kind"], parentId: string | null = null, disabled = false) => ({
  id,
  name,
  kind,
  parentId,
  disabled,
});
const TENANTS: NamedTenant[] = [
  T("harbor-it", "Harbor IT Services", "msp"),
  T("contosocare", "ContosoCare Clinic", "client", "harbor-it"),
  T("fabrikam-law", "Fabrikam Law LLP", "client", "harbor-it"),
  T("retired-co", "Retired Co", "client", "harbor-it", true),
  T("otter-msp", "Otter MSP", "msp"),
  T("otter-client", "Otter Client Co", "client", "otter-msp"),
];
const scopeOf = (p: Principal) => new TenantScope(p, allowedTenantIds(p, TENANTS));
const harborTech = () => scopeOf({ userId: "u1", role: "technician", tenantId: "harbor-it" });
const otterAdmin = () => scopeOf({ userId: "u2", role: "msp_admin", tenantId: "otter-msp" });

function refusal(fn: () => unknown): Error {
  try {
    fn();
  } catch (err) {
    return err as Error;
  }
  throw new Error("expected a refusal");
}

describe("resolveTenantRef: the one tenant resolver", () => {
  test("accepts the id, or the name, case-insensitively and trimmed; records the tenant acted on", () => {
    for (const ref of ["contosocare", "ContosoCare", " CONTOSOCARE ", "contosocare clinic", "ContosoCare Clinic"]) {
      const scope = harborTech();
      expect(resolveTenantRef(scope, TENANTS, ref).id).toBe("contosocare");
      expect(scope.actedOn).toBe("contosocare");
    }
  });

  test("a typo is UnknownTenantError (invalid_input) with a did-you-mean among the caller's tenants", () => {
    const err = refusal(() => resolveTenantRef(harborTech(), TENANTS, "contosocar"));
    expect(err).toBeInstanceOf(UnknownTenantError);
    expect(err).toBeInstanceOf(InvalidInputError);
    expect(err.message).toStartWith("not found or not permitted");
    expect(err.message).toContain("Did you mean contosocare (ContosoCare Clinic)?");
  });

  test("another customer's tenant is CrossTenantError with exactly the bytes a typo gets; suggestions never leave the scope", () => {
    const probe = refusal(() => resolveTenantRef(otterAdmin(), TENANTS, "ContosoCare"));
    const typo = refusal(() => resolveTenantRef(otterAdmin(), TENANTS, "ContosoCarx"));
    expect(probe).toBeInstanceOf(CrossTenantError);
    expect(typo).toBeInstanceOf(UnknownTenantError);
    expect(probe.message).toBe(typo.message);
    expect(probe.message).toContain("otter-client (Otter Client Co)");
    expect(probe.message.toLowerCase()).not.toContain("contoso");
    expect(probe.message.toLowerCase()).not.toContain("harbor");
  });

  test("a disabled tenant is outside every scope: naming it is a cross-tenant refusal", () => {
    expect(refusal(() => resolveTenantRef(harborTech(), TENANTS, "retired-co"))).toBeInstanceOf(CrossTenantError);
  });

  test("two tenants in scope with one name are ambiguous (invalid input listing both); empty is invalid", () => {
    const twins = [...TENANTS, T("contoso-2", "ContosoCare Clinic", "client", "harbor-it")];
    const scope = new TenantScope(
      { userId: "u1", role: "technician", tenantId: "harbor-it" },
      allowedTenantIds({ userId: "u1", role: "technician", tenantId: "harbor-it" }, twins),
    );
    const err = refusal(() => resolveTenantRef(scope, twins, "contosocare clinic"));
    expect(err).toBeInstanceOf(InvalidInputError);
    expect(err.message).toContain("contosocare (ContosoCare Clinic), contoso-2 (ContosoCare Clinic)");
    // The id still picks one.
    expect(resolveTenantRef(scope, twins, "contoso-2").id).toBe("contoso-2");
    expect(refusal(() => resolveTenantRef(harborTech(), TENANTS, "   "))).toBeInstanceOf(InvalidInputError);
  });
});
