// The surfaces' view of the one tenant resolver (src/tenancy/resolve.ts): every tool that takes a tenant uses it.
export {
  matchTenants,
  type NamedTenant,
  notResolvedMessage,
  resolveTenant,
  resolveTenantRef,
  UnknownTenantError,
} from "../../tenancy/resolve";
