import type { ImportKind } from "../kind";
import { contactsKind } from "./contacts";
import { docsKind } from "./docs";
import { findingsKind } from "./findings";
import { productsKind } from "./products";

/** Every import kind, by name: the CLI, the admin API and the admin page list and dispatch from this. */
export const IMPORT_KINDS: readonly ImportKind[] = [productsKind, contactsKind, findingsKind, docsKind];

/**
 * The admin listener's body limit (Bun.serve `maxRequestBodySize`): the largest kind's file plus room for a
 * multipart form's other fields. Each route still reads its body with its own cap (src/http/read-capped-body.ts):
 * forms and the JSON API 1 MiB, an import its kind's `maxBytes`.
 */
export const MAX_IMPORT_UPLOAD_BYTES = Math.max(...IMPORT_KINDS.map((k) => k.maxBytes)) + 1024 * 1024;
