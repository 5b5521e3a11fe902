import type { CallToolResult, InputRequiredResult } from "@modelcontextprotocol/server";
import type { AuditEvent } from "../audit/log";
import type { SurfaceName } from "../config/schema";
import type { AppContext } from "../context";
import { newOrderedId } from "../shared/crypto";
import { InvalidInputError } from "../shared/errors";
import { capCodePoints, findUnstorableString, hasControlOrLoneSurrogate } from "../shared/text";
import { CrossTenantError, NotFoundError, type TenantScope } from "../tenancy/scope";
import { type CallMeta, mcpAuditEvent } from "./audit-event";
import type { SurfaceAccess } from "./auth";
import { hashArguments } from "./canonical";
import { type ConfirmationChannel, confirmationInputRequired } from "./confirm-input";
import { consumeConfirmation, hashTenantSet, proposeConfirmation, type ConfirmationBinding } from "./confirmation";
import { ToolError, type ConfirmationEnvelope, type ToolContext, type ToolDefinition } from "./define-tool";
import type { TenantDirectory } from "./tenant-scope";

/** Audit outcomes of a tools/call: one row per call, whatever the outcome (docs/mcp-client-compat.md H2). */
export type ToolCallOutcome =
  | "ok"
  | "tool_error"
  | "invalid_input"
  | "confirmation_required"
  | "confirmed"
  /** A 2026-07-28 client answered the confirmation form with no (declined, cancelled, or approve = false). */
  | "declined"
  | "denied_cross_tenant"
  | "denied_scope"
  | "unauthorized"
  | "failed"
  /** Refused at the surface before the call path (surface.ts): Host/Origin 403 (DNS-rebinding protection). */
  | "denied_origin"
  /** Refused at the surface: unsupported MCP-Protocol-Version (400). */
  | "invalid_request";

export type { CallMeta } from "./audit-event";

export const NOT_PERMITTED = "not found or not permitted";

/** Raised inside the destructive transaction when no confirmation matches: rolls back, then a fresh proposal. */
class NoMatchingConfirmation extends Error {}

function textResult(structured: Record<string, unknown>): CallToolResult {
  return { content: [{ type: "text", text: JSON.stringify(structured) }], structuredContent: structured };
}

function errorResult(message: string): CallToolResult {
  return { content: [{ type: "text", text: message }], isError: true };
}

function latency(meta: CallMeta): number {
  return Math.max(0, Math.round(performance.now() - meta.startedAt));
}

/**
 * THE path of every tools/call on every surface: tenant scope from the token's user, input validation,
 * confirmation for destructive tools, the tool, and one durable audit row, whatever happened. A tool author
 * cannot skip any of it, because a tool is only reachable through here.
 *
 * - Audit rows are durable before the result is returned. A read's row is group-committed (`await audit.record`);
 *   every tool that writes (readOnlyHint false, destructive or not) commits its business write in one
 *   transaction with its audit row (`audit.commitWithAudit`: a savepoint of its own in the audit group's
 *   transaction, answered after that transaction commits).
 * - Every string argument must be storable text (no U+0000, no lone surrogate); identifiers are checked further by
 *   their arktype type (src/shared/string-types.ts). Audit rows store every string in its audit form.
 * - Errors a model can correct become `isError` results (MCP SEP-1303); cross-tenant and missing objects read
 *   the same ("not found or not permitted"); anything unexpected is logged with the request id and reported
 *   without detail.
 */
export async function runToolCall(
  app: AppContext,
  directory: TenantDirectory,
  surface: SurfaceName,
  tool: ToolDefinition,
  rawArgs: Record<string, unknown> | undefined,
  access: SurfaceAccess,
  meta: CallMeta,
  channel: ConfirmationChannel = { kind: "envelope" },
): Promise<CallToolResult | InputRequiredResult> {
  const now = app.clock();
  const args: Record<string, unknown> = rawArgs ?? {};
  // A tenant_id that is not an identifier names no tenant: the row keeps the caller's own (the argument itself
  // is in the row's detail, in its audit form), so it never lands outside every tenant's view of the log.
  const actedTenant =
    typeof args.tenant_id === "string" && args.tenant_id.length <= 128 && !hasControlOrLoneSurrogate(args.tenant_id)
      ? await directory.resolve(args.tenant_id)
      : access.tenantId;
  const base: AuditEvent = mcpAuditEvent(
    { surface, meta, access, tool: tool.name, action: tool.action, tenantId: actedTenant },
    "ok",
    {},
  );
  const eventOf = (outcome: ToolCallOutcome, extra: Partial<AuditEvent> = {}): AuditEvent => ({
    ...base,
    outcome,
    latencyMs: latency(meta),
    detail: { arguments: args, ...(extra.detail as object) },
    ...omitDetail(extra),
  });
  const audit: Audit = (outcome, extra) => app.audit.record(eventOf(outcome, extra));

  // Framework arguments of destructive tools are split off before the tool's own (closed) input type sees them.
  const { confirmed, confirmation_token: confirmationToken, ...ownArgs } = args;
  const toolArgs = tool.destructive ? ownArgs : args;
  if (
    tool.destructive &&
    ((confirmed !== undefined && typeof confirmed !== "boolean") ||
      (confirmationToken !== undefined && typeof confirmationToken !== "string"))
  ) {
    const message = "Invalid arguments: confirmed must be a boolean and confirmation_token a string.";
    await audit("invalid_input", { detail: { error: message } });
    return errorResult(message);
  }
  // Free text must read back exactly as accepted; the store cannot hold these two (src/shared/text.ts).
  const unstorable = findUnstorableString(toolArgs);
  if (unstorable) {
    const message = `Invalid arguments: ${capCodePoints(unstorable.path, 200)} ${unstorable.reason}; send it without that character`;
    await audit("invalid_input", { detail: { error: message } });
    return errorResult(message);
  }
  const checked = tool.checkInput(toolArgs);
  if (!checked.ok) {
    const message = `Invalid arguments: ${checked.message}`;
    await audit("invalid_input", { detail: { error: message } });
    return errorResult(message);
  }
  const input = checked.value;

  let scope: TenantScope;
  try {
    scope = await directory.scopeFor({ userId: access.userId, role: access.role, tenantId: access.tenantId });
  } catch (err) {
    return await failed(app, meta, err, audit);
  }
  // Facts the tool adds to its own audit row (ToolContext.annotateAudit).
  const annotations: Record<string, unknown> = {};
  const toolCtx: ToolContext = {
    annotateAudit: (detail) => Object.assign(annotations, detail),
    scope,
    principal: {
      userId: access.userId,
      email: access.email,
      name: access.userName,
      role: access.role,
      tenantId: access.tenantId,
    },
    client: { clientId: access.clientId, clientName: access.clientName },
    grantId: access.grantId,
    surface,
    requestId: meta.requestId,
    now,
    db: app.store.db,
    config: app.config,
  };

  if (!tool.destructive && tool.writes) {
    // A write and its audit row commit in ONE transaction, the audit group's, inside a savepoint of their own: no
    // write survives a crash without its row, and a row that cannot be written rolls the write back.
    try {
      const result = await app.audit.commitWithAudit(async (tx, audited) => {
        const produced = await tool.handler(input, { ...toolCtx, db: tx });
        const out = tool.checkOutput(produced);
        if (!out.ok) throw new InvalidOutput(out.message);
        await audited.append(eventOf("ok", { tenantId: scope.actedOn ?? actedTenant }));
        return out.value as Record<string, unknown>;
      });
      return textResult(result);
    } catch (err) {
      return await refused(app, meta, err, audit);
    }
  }

  if (!tool.destructive) {
    try {
      const result = await tool.handler(input, toolCtx);
      const out = tool.checkOutput(result);
      if (!out.ok) throw new InvalidOutput(out.message);
      await audit("ok", { tenantId: scope.actedOn ?? actedTenant, detail: { ...annotations } });
      return textResult(out.value as Record<string, unknown>);
    } catch (err) {
      return await refused(app, meta, err, audit);
    }
  }

  const binding: ConfirmationBinding = {
    userId: access.userId,
    clientId: access.clientId,
    grantId: access.grantId,
    surface,
    tool: tool.name,
    tenantId: actedTenant,
    scopeHash: hashTenantSet(scope.tenantIds),
    argsHash: hashArguments(input),
  };

  let confirmationKey: string | { id: string } | undefined = confirmationToken as string | undefined;
  if (channel.kind === "input" && channel.state !== null) {
    // A retried 2026-07-28 call: its requestState names the stored confirmation, its inputResponses the answer.
    if (!channel.state.ok || channel.answer === "missing") {
      const error = !channel.state.ok
        ? `requestState refused (${channel.state.reason})`
        : "no answer to the confirmation form in inputResponses";
      await audit("invalid_input", { detail: { error } });
      return errorResult(`${STATE_REFUSED} (${error})`);
    }
    if (channel.answer === "decline") {
      const match = await consumeConfirmation(app.store.db, binding, { id: channel.state.confirmationId }, now);
      if (!match) {
        await audit("invalid_input", { detail: { error: NO_MATCH } });
        return errorResult(`${STATE_REFUSED} (${NO_MATCH})`);
      }
      await audit("declined", { confirmsId: match.auditId });
      return errorResult(`The user declined ${tool.name}; nothing was done. Do not retry unless they ask again.`);
    }
    confirmationKey = { id: channel.state.confirmationId };
  }

  if (confirmed === true || typeof confirmationKey === "object") {
    const auditId = newOrderedId("aud");
    let confirmsId: string | null = null;
    try {
      const result = await app.audit.commitWithAudit(async (tx, audited) => {
        const match = await consumeConfirmation(tx, binding, confirmationKey, now);
        if (!match) throw new NoMatchingConfirmation();
        confirmsId = match.auditId;
        const produced = await tool.handler(input, { ...toolCtx, db: tx });
        const out = tool.checkOutput(produced);
        if (!out.ok) throw new InvalidOutput(out.message);
        await audited.append({
          ...base,
          id: auditId,
          outcome: "confirmed",
          tenantId: scope.actedOn ?? actedTenant,
          latencyMs: latency(meta),
          confirmsId: match.auditId,
          detail: { arguments: args, ...annotations },
        });
        return out.value as Record<string, unknown>;
      });
      return textResult(result);
    } catch (err) {
      if (!(err instanceof NoMatchingConfirmation))
        return await refused(app, meta, err, (o, e = {}) => audit(o, { ...e, confirmsId }));
      // Nothing matched: nothing ran; a fresh proposal follows, saying why.
    }
    if (channel.kind === "input") {
      // Replayed, expired, or another user's or call's state: nothing ran, and no new form is put to the person.
      await audit("invalid_input", { detail: { error: NO_MATCH } });
      return errorResult(`${STATE_REFUSED} (${NO_MATCH})`);
    }
    return await propose(app, tool, input, toolCtx, binding, audit, eventOf, meta, true, channel);
  }
  return await propose(app, tool, input, toolCtx, binding, audit, eventOf, meta, false, channel);
}

const STATE_REFUSED =
  "This confirmation cannot be used, so nothing was done. Call the tool again with the same arguments to ask the user anew";
const NO_MATCH = "no pending confirmation matches: already used, expired, or proposed for another user, client or call";

/** A handler result that does not match the tool's declared output type: a bug, reported as `failed`. */
class InvalidOutput extends Error {}

function omitDetail(extra: Partial<AuditEvent>): Partial<AuditEvent> {
  const { detail: _detail, ...rest } = extra;
  return rest;
}

type Audit = (outcome: ToolCallOutcome, extra?: Partial<AuditEvent>) => Promise<string>;

async function propose(
  app: AppContext,
  tool: ToolDefinition,
  input: unknown,
  toolCtx: ToolContext,
  binding: ConfirmationBinding,
  audit: Audit,
  eventOf: (outcome: ToolCallOutcome, extra?: Partial<AuditEvent>) => AuditEvent,
  meta: CallMeta,
  afterMismatch: boolean,
  channel: ConfirmationChannel,
): Promise<CallToolResult | InputRequiredResult> {
  let preview;
  try {
    preview = await tool.preview(input, toolCtx);
  } catch (err) {
    return await refused(app, meta, err, audit);
  }
  const auditId = newOrderedId("aud");
  // The pending confirmation and its audit row commit together: no proposal exists that the log does not show.
  const proposed = await app.audit.commitWithAudit(async (tx, audited) => {
    // After a confirmed call that matched nothing, the new proposal is redeemable only with its token.
    const p = await proposeConfirmation(
      tx,
      binding,
      auditId,
      toolCtx.now,
      app.config.oauth.confirmation_ttl_seconds,
      afterMismatch,
    );
    const acted = toolCtx.scope.actedOn;
    await audited.append(
      eventOf("confirmation_required", {
        id: auditId,
        detail: {
          summary: preview.summary,
          ...(afterMismatch ? { redeemable: "with its token only" } : {}),
          ...(channel.kind === "input" ? { asked_by: "input_required" } : {}),
        },
        ...(acted ? { tenantId: acted } : {}),
      }),
    );
    return p;
  });
  if (channel.kind === "input")
    return confirmationInputRequired(tool.title, preview.summary, await channel.mint(proposed.id));
  const prefix = afterMismatch
    ? "No pending confirmation matches this call (arguments changed, it expired or was already used, or it " +
      "was proposed to another user or client), so nothing was done. "
    : "";
  const envelope: ConfirmationEnvelope = {
    status: "confirmation_required",
    summary: afterMismatch
      ? `${prefix}${preview.summary} Nothing has been done yet: show this to the user and, only if they ` +
        `approve, call ${tool.name} again with the same arguments plus confirmed: true AND this ` +
        `confirmation_token (confirmed: true alone will not run this proposal).`
      : `${preview.summary} Nothing has been done yet: show this to the user and, only if they approve, call ` +
        `${tool.name} again with the same arguments plus confirmed: true and this confirmation_token.`,
    proposal: preview.proposal,
    confirmation_token: proposed.token,
    expires_at: new Date(proposed.expiresAt).toISOString(),
  };
  return textResult(envelope as unknown as Record<string, unknown>);
}

/** Classifies a thrown error into the result and audit outcome the caller sees. */
async function refused(app: AppContext, meta: CallMeta, err: unknown, audit: Audit): Promise<CallToolResult> {
  if (err instanceof ToolError) {
    await audit("tool_error", { detail: { error: err.message } });
    return errorResult(err.message);
  }
  if (err instanceof InvalidInputError) {
    await audit("invalid_input", { detail: { error: err.message, ...err.auditDetail } });
    return errorResult(err.message);
  }
  if (err instanceof CrossTenantError) {
    // The message is the one an unknown id would get (same bytes); only this audit outcome tells them apart.
    await audit("denied_cross_tenant", {
      detail: { error: err.message, entity: err.entity, requested: err.requestedId },
    });
    return errorResult(err.message);
  }
  if (err instanceof NotFoundError) {
    await audit("tool_error", { detail: { error: NOT_PERMITTED, entity: err.entity, requested: err.requestedId } });
    return errorResult(NOT_PERMITTED);
  }
  return await failed(app, meta, err, audit);
}

async function failed(app: AppContext, meta: CallMeta, err: unknown, audit: Audit): Promise<CallToolResult> {
  app.log.error("tool call failed", { request_id: meta.requestId, error: err });
  await audit("failed", { detail: { error: "internal error" } });
  return errorResult(`The tool failed unexpectedly. Quote request id ${meta.requestId} to the administrator.`);
}
