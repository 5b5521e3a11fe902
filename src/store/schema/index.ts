// The full drizzle schema: one module per feature. Add a feature's module here and in drizzle.config.ts's glob.
import * as audit from "./audit";
import * as tenancy from "./tenancy";

export const schema = { ...tenancy, ...audit };
export type Schema = typeof schema;
