import type { ToolDefinition } from "../../mcp/define-tool";
import { buildQbrOutlineTool } from "./tools/build-qbr-outline";
import { classifyRequestTool } from "./tools/classify-request";
import { draftClientMessageTool } from "./tools/draft-client-message";
import { getArticleTool } from "./tools/get-article";
import { getRunbookTool } from "./tools/get-runbook";
import { archiveDocumentTool } from "./tools/archive-document";
import { saveArticleTool } from "./tools/save-article";
import { saveRunbookTool } from "./tools/save-runbook";
import { searchKnowledgeTool } from "./tools/search-knowledge";
import { summarizeEntityTool } from "./tools/summarize-entity";

/**
 * The forge surface's tool manifest: every tool this surface serves (one file per tool under ./tools/),
 * reads before writes. The helpers are deterministic and run on the appliance's own data (no outside model):
 * FTS5/bm25 search, keyword triage, templates over aegis and cavalier records. Saves are versioned, never
 * overwriting, so they are not destructive. forge_archive_document is: it retires a document from search and
 * from client views (history kept, undone by saving a new version), so it goes through the confirmation round-trip.
 */
export const forgeTools: ToolDefinition[] = [
  searchKnowledgeTool,
  getArticleTool,
  getRunbookTool,
  classifyRequestTool,
  summarizeEntityTool,
  draftClientMessageTool,
  buildQbrOutlineTool,
  saveArticleTool,
  saveRunbookTool,
  archiveDocumentTool,
];
