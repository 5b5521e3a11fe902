/**
 * How each server scenario the conformance suite runs for MCP 2026-07-28 (`--requirements 2026-07-28`, pinned
 * alpha) applies to a Cavaridge surface. Applicable scenarios must pass on every surface, except for the named
 * checks below that need something a product surface does not ship. The rest exercise fixture tools, prompts,
 * resources or the Tasks extension (reasons also in README "MCP revisions"). A scenario in neither list fails the
 * test, so a suite upgrade forces a decision.
 */
export const APPLICABLE_2026 = [
  "server-stateless",
  "caching",
  "http-header-validation",
  "dns-rebinding-protection",
  "tools-list",
  "server-sse-multiple-streams",
  "sep-2164-resource-not-found",
  "input-required-result-unsupported-methods",
  "input-required-result-missing-input-response",
  "input-required-result-ignore-extra-params",
  "input-required-result-validate-input",
] as const;

/** Checks of applicable scenarios that cannot apply, by check id. */
export const NOT_APPLICABLE_CHECKS: Record<string, string> = {
  "sep-2575-server-rejects-undeclared-capability": "needs the fixture tool test_missing_capability",
  "sep-2575-missing-capability-http-400": "needs the fixture tool test_missing_capability",
  "sep-2575-http-server-no-independent-requests-on-stream":
    "needs the fixture tool test_streaming_elicitation (surfaces answer plain JSON, never a stream)",
  "sep-2575-server-no-log-without-loglevel":
    "needs the fixture tool test_logging_tool (surfaces emit no log notifications)",
  "sep-2549-prompts-list-caching-hints": "surfaces expose tools only (no prompts capability)",
  "sep-2549-resources-list-caching-hints": "surfaces expose tools only (no resources capability)",
  "sep-2549-resources-templates-list-caching-hints": "surfaces expose tools only (no resources capability)",
};

const FIXTURE = "calls a fixture tool of the suite, which a product surface does not ship";
const INPUT_FIXTURE =
  "calls a fixture tool of the suite that asks for input; our input_required flow (confirmation of destructive tools) is covered by test/e2e/mcp-2026-surfaces.test.ts and test/integration/mcp/modern-confirmation.test.ts";
const NO_PROMPTS = "surfaces expose tools only (no prompts capability)";
const NO_RESOURCES = "surfaces expose tools only (no resources capability)";
const TASKS =
  "the Tasks extension (SEP-2663) is optional and reported unscored by the suite; surfaces declare no tasks capability and ship its fixture tools";

export const NOT_APPLICABLE_2026: Record<string, string> = {
  "completion-complete":
    "no prompts or resource templates, so nothing to complete (completions capability not declared)",
  "tools-call-simple-text": FIXTURE,
  "tools-call-image": FIXTURE,
  "tools-call-audio": FIXTURE,
  "tools-call-embedded-resource": FIXTURE,
  "tools-call-mixed-content": FIXTURE,
  "tools-call-error": `${FIXTURE}; isError results are covered by test/integration/mcp/call-path.test.ts`,
  "tools-call-with-progress": `${FIXTURE} (progress needs a streamed response; surfaces answer plain JSON)`,
  "json-schema-2020-12": `${FIXTURE} (json_schema_2020_12_tool)`,
  "http-custom-header-server-validation": "needs a tool with x-mcp-header annotations; no surface tool declares one",
  "resources-list": NO_RESOURCES,
  "resources-read-text": NO_RESOURCES,
  "resources-read-binary": NO_RESOURCES,
  "resources-templates-read": NO_RESOURCES,
  "prompts-list": NO_PROMPTS,
  "prompts-get-simple": NO_PROMPTS,
  "prompts-get-with-args": NO_PROMPTS,
  "prompts-get-embedded-resource": NO_PROMPTS,
  "prompts-get-with-image": NO_PROMPTS,
  "input-required-result-basic-elicitation": INPUT_FIXTURE,
  "input-required-result-basic-sampling": INPUT_FIXTURE,
  "input-required-result-basic-list-roots": INPUT_FIXTURE,
  "input-required-result-request-state": INPUT_FIXTURE,
  "input-required-result-multiple-input-requests": INPUT_FIXTURE,
  "input-required-result-multi-round": INPUT_FIXTURE,
  "input-required-result-non-tool-request": `${INPUT_FIXTURE} (and surfaces have no prompts or resources)`,
  "input-required-result-result-type": INPUT_FIXTURE,
  "input-required-result-tampered-state": INPUT_FIXTURE,
  "input-required-result-capability-check": INPUT_FIXTURE,
  "tasks-lifecycle": TASKS,
  "tasks-capability-negotiation": TASKS,
  "tasks-wire-fields": TASKS,
  "tasks-request-state-removal": TASKS,
  "tasks-mrtr-input": TASKS,
  "tasks-request-headers": TASKS,
  "tasks-dispatch-and-envelope": TASKS,
  "tasks-status-notifications": TASKS,
  "tasks-required-task-error": TASKS,
  "tasks-mrtr-composition": TASKS,
};
