import { expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { renderEmbeddedMigrations } from "../../../scripts/embed-migrations";

test("src/store/migrations.gen.ts matches migrations/ (run npm run migrations:generate)", () => {
  const embedded = readFileSync(join(import.meta.dir, "../../../src/store/migrations.gen.ts"), "utf8");
  expect(embedded).toBe(renderEmbeddedMigrations());
});
