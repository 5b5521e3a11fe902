import { describe, expect, test } from "bun:test";
import { type } from "arktype";
import { ToolError, type ToolContext } from "../../../src/mcp/define-tool";
import { InvalidInputError } from "../../../src/shared/errors";
import { READ_ONLY } from "../../../src/surfaces/kit/args";
import { DomainError } from "../../../src/surfaces/kit/domain";
import { surfaceTool } from "../../../src/surfaces/kit/tool";

const ctx = {} as ToolContext;

function toolThrowing(err: Error) {
  return surfaceTool({
    name: "kit_probe",
    title: "kit.probe",
    action: "kit.probe",
    description: "Use to probe the kit wrapper.",
    input: type({}),
    output: type({ ok: "boolean" }),
    scope: "kit:read",
    annotations: READ_ONLY,
    preview: async () => {
      throw err;
    },
    handler: async () => {
      throw err;
    },
  });
}

describe("surfaceTool", () => {
  test("turns a coded domain error into a tool error carrying its message, code and detail", async () => {
    const tool = toolThrowing(new DomainError("invalid_state_transition", "finding is Resolved", { id: "fnd_1" }));
    for (const run of [() => tool.handler({}, ctx), () => tool.preview({}, ctx)]) {
      const err = await run().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ToolError);
      expect((err as ToolError).message).toBe("finding is Resolved");
      expect((err as ToolError).detail).toEqual({ code: "invalid_state_transition", id: "fnd_1" });
    }
  });

  test("lets every other error through unchanged, for the call path to classify", async () => {
    const original = new InvalidInputError("bad cursor");
    const err = await toolThrowing(original)
      .handler({}, ctx)
      .catch((e: unknown) => e);
    expect(err).toBe(original);
  });
});
