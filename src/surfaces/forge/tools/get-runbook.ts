import { type } from "arktype";
import { DocumentOut } from "../wire";
import { READ_ONLY } from "../../kit/args";
import { surfaceTool } from "../../kit/tool";
import { readDocument, VersionArg } from "./shared";
import { Identifier } from "../../../shared/string-types";

export const getRunbookTool = surfaceTool({
  name: "forge_get_runbook",
  title: "Get runbook",
  action: "forge.get_runbook",
  description:
    "Use this when a technician is about to carry out a procedure (onboarding, offboarding, incident " +
    "response, hardening): returns the runbook's when-to-use, ordered steps (with the role a step " +
    "requires, if any) and version history.",
  input: type({
    runbook_id: Identifier.describe("The runbook's id (rb_…), from forge_search_knowledge."),
    "version?": VersionArg,
  }),
  output: DocumentOut,
  scope: "forge:read",
  annotations: READ_ONLY,
  handler: async (input, ctx) => await readDocument(ctx, "runbook", input.runbook_id, input.version),
});
