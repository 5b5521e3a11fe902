import { type } from "arktype";
import { identifier } from "../../../shared/string-types";
import { actorOf, surfaceTool } from "../../kit/tool";
import { acknowledgeFinding } from "../finding-workflow";
import { FindingDetailOut, presentFindingDetail } from "../wire";
import { ADDITIVE_WRITE, FindingIdArg } from "./args";

export const acknowledgeFindingTool = surfaceTool({
  name: "aegis_acknowledge_finding",
  title: "Acknowledge finding",
  action: "aegis.acknowledge_finding",
  description:
    "Use this when a technician takes ownership of a finding or adds a progress note: moves it from New " +
    "(or a lapsed suppression) to In Progress, optionally assigns it, and records the note in its history; an " +
    "In Progress finding just gets the note. Additive: nothing is hidden from reports, and each call adds a " +
    "history entry. Suppressed or Resolved findings must be reopened first.",
  input: type({
    finding_id: FindingIdArg,
    note: type("1 <= string <= 2000").describe(
      "What is being done or planned, recorded in the finding's history (e.g. 'Scheduling the Chrome update after clinic hours').",
    ),
    "assignee_email?": identifier(254, 3).describe(
      "Assign the finding to this user (an active user of your MSP or of the finding's tenant), e.g. tech@harbor-it.example.",
    ),
  }),
  output: FindingDetailOut,
  scope: "aegis:write",
  annotations: ADDITIVE_WRITE,
  handler: async (input, ctx) =>
    presentFindingDetail(
      await acknowledgeFinding(
        ctx.db,
        ctx.scope,
        actorOf(ctx),
        { findingId: input.finding_id, note: input.note, assigneeEmail: input.assignee_email },
        ctx.now,
      ),
    ),
});
