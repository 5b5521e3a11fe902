import { defineConfig } from "drizzle-kit";

// Migrations are generated from the per-feature schema files, then embedded into
// src/store/migrations.gen.ts by scripts/embed-migrations.ts (npm run migrations:generate does both).
export default defineConfig({
  dialect: "sqlite",
  schema: "./src/store/schema/*.ts",
  out: "./migrations",
});
