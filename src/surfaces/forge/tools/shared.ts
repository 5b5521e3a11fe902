import { type } from "arktype";
import { IdempotencyKeyArg } from "../../kit/args";

/** Parameters and shapes shared by the forge tools. */

export const AudienceArg = type("'technician' | 'client_executive'").describe(
  "Who will read it: technician (ids, commands, next steps) or client_executive (business risk in plain words, no jargon).",
);
export const SaveKeyArg = IdempotencyKeyArg.describe(
  "A unique key for this save (a fresh UUID). Repeating the call with the same key and content returns the version it created instead of a new one.",
);
export const TagsArg = type("(1 <= string <= 40)[]")
  .atMostLength(20)
  .describe('Search keywords, e.g. ["mfa", "conditional-access"]; up to 20.');
export const VisibilityArg = type("'internal' | 'client'").describe(
  "internal: MSP staff only. client: also readable by the client tenant's own users (and, for MSP-wide documents, by users of every client of the MSP).",
);
export const VersionArg = type("1 <= number.integer <= 100000").describe(
  "Read this earlier version instead of the current one.",
);

export const DocumentOut = type({
  id: "string",
  kind: "'article' | 'runbook'",
  tenant_id: "string",
  title: "string",
  summary: "string",
  body: "string",
  steps: type({ n: "number.integer", text: "string", "requires_role?": "string" }).array().or("null"),
  tags: "string[]",
  visibility: "'internal' | 'client'",
  version: "number.integer",
  updated_by: "string",
  updated_at: "string",
  created_at: "string",
  versions: type({
    version: "number.integer",
    created_at: "string",
    created_by: "string",
    change_note: "string",
  }).array(),
  /** null unless archived (forge_archive_document); only MSP staff ever read an archived document. */
  archived: type({ at: "string", by: "string", reason: "string" }).or("null"),
});

export const SummaryOut = type({
  headline: "string",
  summary: "string",
  key_points: "string[]",
  next_steps: "string[]",
});
