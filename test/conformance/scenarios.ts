/**
 * How each server scenario of @modelcontextprotocol/conformance (0.1.x, active suite) applies to a Cavaridge
 * surface. Applicable scenarios must pass on every surface; the others exercise fixture tools, prompts or
 * resources that a product surface does not ship (reasons are also listed in README "MCP surfaces").
 * A scenario in neither list fails the conformance test, so a suite upgrade forces a decision.
 */
export const APPLICABLE = [
  "server-initialize",
  "ping",
  "logging-set-level",
  "tools-list",
  "dns-rebinding-protection",
  "server-sse-multiple-streams",
] as const;

export const NOT_APPLICABLE: Record<string, string> = {
  "completion-complete":
    "no prompts or resource templates, so nothing to complete (completions capability not declared)",
  "tools-call-simple-text": "calls the fixture tool test_simple_text, which a product surface does not ship",
  "tools-call-image": "calls the fixture tool test_image_content; surfaces return text + structuredContent only",
  "tools-call-audio": "calls the fixture tool test_audio_content; surfaces return text + structuredContent only",
  "tools-call-embedded-resource": "calls the fixture tool test_embedded_resource; surfaces expose no resources",
  "tools-call-mixed-content": "calls the fixture tool test_multiple_content_types",
  "tools-call-with-logging":
    "calls the fixture tool test_tool_with_logging (log notifications need an SSE response; surfaces answer plain JSON)",
  "tools-call-error":
    "calls the fixture tool test_error_handling; isError results are covered by test/integration/mcp/call-path.test.ts",
  "tools-call-with-progress":
    "calls the fixture tool test_tool_with_progress (progress needs an SSE response; surfaces answer plain JSON)",
  "tools-call-sampling": "calls the fixture tool test_sampling; surfaces never ask the client's model",
  "tools-call-elicitation":
    "calls the fixture tool test_elicitation; confirmation uses the confirmation_required envelope",
  "elicitation-sep1034-defaults": "calls the fixture tool test_elicitation_sep1034_defaults",
  "elicitation-sep1330-enums": "calls the fixture tool test_elicitation_sep1330_enums",
  "resources-list": "surfaces expose tools only (no resources capability)",
  "resources-read-text": "surfaces expose tools only (no resources capability)",
  "resources-read-binary": "surfaces expose tools only (no resources capability)",
  "resources-templates-read": "surfaces expose tools only (no resources capability)",
  "resources-subscribe": "surfaces expose tools only (no resources capability)",
  "resources-unsubscribe": "surfaces expose tools only (no resources capability)",
  "prompts-list": "surfaces expose tools only (no prompts capability)",
  "prompts-get-simple": "surfaces expose tools only (no prompts capability)",
  "prompts-get-with-args": "surfaces expose tools only (no prompts capability)",
  "prompts-get-embedded-resource": "surfaces expose tools only (no prompts capability)",
  "prompts-get-with-image": "surfaces expose tools only (no prompts capability)",
};
