import { rmSync } from "node:fs";
import { join } from "node:path";
import { parseConfigText } from "../../../src/config/load";
import type { Role } from "../../../src/config/schema";
import { openStore, type Store } from "../../../src/store/index";
import { applyMigrations } from "../../../src/store/migrate";
import { tenants as tenantTable } from "../../../src/store/schema/tenancy";
import { allowedTenantIds, TenantScope } from "../../../src/tenancy/scope";
import { syncConfigToStore, userIdForEmail } from "../../../src/tenancy/sync";
import { tempDir, testConfigToml } from "../../helpers/appliance";

/**
 * A real libSQL file with every migration applied and the test tenants/users synced — the service-level
 * fixture (no HTTP). Scopes are built exactly as the MCP layer builds them: allowedTenantIds over the store.
 */
export interface StoreFixture {
  store: Store;
  scopeFor(email: string, role: Role, tenantId: string): Promise<TenantScope>;
  close(): void;
}

export async function openStoreFixture(): Promise<StoreFixture> {
  const dir = tempDir("cavaridge-svc-");
  const dbPath = join(dir, "svc.db");
  const config = parseConfigText(testConfigToml({ publicPort: 1, adminPort: 2, dbPath }), "test.toml");
  const store = await openStore(`file:${dbPath}`);
  await applyMigrations(store.client);
  await syncConfigToStore(store, config, () => Date.now());
  return {
    store,
    async scopeFor(email, role, tenantId) {
      const rows = await store.db.select().from(tenantTable);
      const principal = { userId: userIdForEmail(email), role, tenantId };
      return new TenantScope(principal, allowedTenantIds(principal, rows));
    },
    close() {
      store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
