import { type } from "arktype";
import { IdempotencyKeyArg } from "../../kit/args";

/** Parameters shared by the forge tools (the output shapes are in ../wire.ts). */

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
