import type { EmbeddedAddon } from "./embedded-addon";

/**
 * The libSQL addon embedded in the compiled executable. Running from source there is none (libsql's own require loads
 * it from node_modules); scripts/build.ts replaces this module with one naming the compressed copy and its digest.
 */
export const EMBEDDED_ADDON: EmbeddedAddon | null = null;
