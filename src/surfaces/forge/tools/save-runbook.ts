import { type } from "arktype";
import { SaveArgs, saveDocumentTool } from "./shared";
import { Identifier } from "../../../shared/string-types";

export const saveRunbookTool = saveDocumentTool({
  name: "forge_save_runbook",
  title: "Save runbook",
  action: "forge.save_runbook",
  description:
    "Use this when a technician wants to write down or improve a repeatable procedure: creates a " +
    "runbook with ordered steps, or with runbook_id saves a new version (earlier versions stay " +
    "readable). Needs an idempotency_key; repeating it returns the same version. Saving a new " +
    "version of an archived runbook un-archives it.",
  input: type({
    "runbook_id?": Identifier.describe("Save a new version of this runbook (rb_…); omit to create a new runbook."),
    "tenant_id?": Identifier.describe(
      "Owner of a NEW runbook: a customer id or name, case-insensitive (e.g. tailspin-logistics), or " +
        "your MSP's id for an MSP-wide runbook. Ignored for new versions.",
    ),
    title: type("3 <= string <= 200").describe("The runbook title."),
    when_to_use: type("3 <= string <= 500").describe("The situation that calls for this runbook."),
    steps: type({
      text: type("1 <= string <= 400").describe("What to do in this step (up to 400 characters)."),
      "requires_role?": type("'technician' | 'msp_admin' | 'platform_admin'").describe(
        "Role needed to perform this step, if restricted.",
      ),
    })
      .array()
      .atLeastLength(1)
      .atMostLength(40)
      .describe("The ordered steps, 1 to 40."),
    ...SaveArgs,
  }),
  document: (input) => ({
    kind: "runbook",
    documentId: input.runbook_id,
    summary: input.when_to_use,
    steps: input.steps.map((s) => ({ text: s.text, requiresRole: s.requires_role })),
  }),
});
