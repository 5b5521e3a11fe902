import { expect, test } from "bun:test";
import { catalogOwnerOf, maySell } from "../../../src/surfaces/cavalier/catalog";
import { TenantScope } from "../../../src/tenancy/scope";

const contoso = { id: "contosocare", kind: "client" as const, parentId: "harbor-it" };
const solo = { id: "solo", kind: "individual" as const, parentId: null };
const scope = (
  role: "platform_admin" | "msp_admin" | "technician" | "individual_owner",
  tenantId: string,
  ids: string[],
) => new TenantScope({ userId: "u", role, tenantId }, ids);

test("a client tenant buys from its parent MSP's catalog; other tenants from their own", () => {
  expect(catalogOwnerOf(contoso)).toBe("harbor-it");
  expect(catalogOwnerOf(solo)).toBe("solo");
  expect(catalogOwnerOf({ id: "harbor-it", kind: "msp", parentId: null })).toBe("harbor-it");
});

test("the MSP's staff and platform admins sell to a client; the client's own users do not", () => {
  expect(maySell(scope("technician", "harbor-it", ["harbor-it", "contosocare"]), contoso)).toBe(true);
  expect(maySell(scope("msp_admin", "harbor-it", ["harbor-it", "contosocare"]), contoso)).toBe(true);
  expect(maySell(scope("platform_admin", "otter-msp", ["otter-msp", "contosocare"]), contoso)).toBe(true);
  expect(maySell(scope("technician", "contosocare", ["contosocare"]), contoso)).toBe(false);
  expect(maySell(scope("individual_owner", "contosocare", ["contosocare"]), contoso)).toBe(false);
  expect(maySell(scope("msp_admin", "otter-msp", ["otter-msp"]), contoso)).toBe(false);
});
