import { expect, test } from "bun:test";
import { ToolError } from "../../../src/mcp/define-tool";
import { CavalierError } from "../../../src/surfaces/cavalier/errors";
import { ForgeError } from "../../../src/surfaces/forge/errors";
import { DomainError } from "../../../src/surfaces/kit/domain";
import { translated } from "../../../src/surfaces/kit/tool";

test("forge and cavalier refusals are coded domain errors the kit turns into tool errors with the same message", async () => {
  for (const err of [
    new ForgeError("idempotency_conflict", "idempotency_key was already used for a different save"),
    new CavalierError("invalid_input", "name must not be empty"),
  ]) {
    expect(err).toBeInstanceOf(DomainError);
    const thrown = await translated(() => Promise.reject(err)).catch((e: unknown) => e);
    expect(thrown).toBeInstanceOf(ToolError);
    expect((thrown as ToolError).message).toBe(err.message);
    expect((thrown as ToolError).detail).toEqual({ code: err.code });
  }
});
