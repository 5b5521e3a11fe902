import {
  CLIENT_CAPABILITIES_META_KEY,
  type ClientCapabilities,
  createRequestStateCodec,
  type InputRequiredResult,
  inputRequired,
  inputResponse,
  type RequestStateCodec,
  type ServerContext,
} from "@modelcontextprotocol/server";

/**
 * Confirmation of destructive tools in the 2026-07-28 era: multi-round-trip input (MCP 2026-07-28
 * "basic/patterns/mrtr"). The first call answers `input_required` with one form-mode elicitation (the proposal's
 * summary and one boolean); the client shows it to the person and retries the same call with `inputResponses` and
 * the echoed `requestState`. The state is opaque to the client but not secret (the SDK's codec signs, it does not
 * encrypt), so it carries only the id of the stored confirmation; everything the approval is bound to (user,
 * client, grant, tool, tenant set, arguments, expiry) stays in the store, and the row is consumed once.
 */

/** The key of the one embedded request, and of its answer in `inputResponses`. */
export const CONFIRM_INPUT_KEY = "confirm";

/** What a confirmation's `requestState` carries. */
interface ConfirmationState {
  cid: string;
}

/** A retried call's `requestState` after verification: the confirmation it names, or why it was refused. */
export type VerifiedState = { ok: true; confirmationId: string } | { ok: false; reason: string };

/** How a destructive call asks for the person's approval. */
export type ConfirmationChannel =
  /** 2025-era clients, and 2026-07-28 clients without form elicitation: the `confirmation_required` envelope. */
  | { kind: "envelope" }
  | {
      kind: "input";
      /** The verified state of a retried call; null on a first call (no `requestState`). */
      state: VerifiedState | null;
      /** The person's answer: accepted with approve = true, anything else that was answered, or nothing. */
      answer: "approve" | "decline" | "missing";
      /** Seals a confirmation id into the `requestState` of an `input_required` answer. */
      mint: (confirmationId: string) => Promise<string>;
    };

/**
 * The `requestState` codec of the surfaces: the SDK's HMAC-SHA256 codec, keyed with a sub-key of the master secret
 * (so every process of the appliance verifies what another minted), valid as long as a confirmation is.
 */
export function confirmationStateCodec(key: Uint8Array, ttlSeconds: number): RequestStateCodec<ConfirmationState> {
  return createRequestStateCodec<ConfirmationState>({ key, ttlSeconds });
}

/**
 * The `ServerOptions.requestState.verify` hook: resolves with the verification's outcome instead of throwing, so
 * that a refused state reaches the call path and is audited like every other refused call (a throwing hook would
 * answer -32602 before any of our code ran). The codec's reasons are fixed codes ("mac", "expired", ...).
 */
export function verifyConfirmationState(codec: RequestStateCodec<ConfirmationState>) {
  return async (state: string, ctx: ServerContext): Promise<VerifiedState> => {
    try {
      const payload = await codec.verify(state, ctx);
      if (typeof payload?.cid !== "string") return { ok: false, reason: "malformed" };
      return { ok: true, confirmationId: payload.cid };
    } catch (err) {
      return { ok: false, reason: err instanceof Error ? err.message.slice(0, 40) : "malformed" };
    }
  };
}

/**
 * The channel for one tools/call. Modern requests carry the client's capabilities in their `_meta` envelope; an
 * `elicitation` capability that is empty or names `form` means form mode (MCP 2025-11-25 "Elicitation /
 * Capabilities": an empty object is form mode). Everything else keeps the envelope.
 */
export function confirmationChannelOf(
  ctx: ServerContext,
  codec: RequestStateCodec<ConfirmationState>,
): ConfirmationChannel {
  const envelope = ctx.mcpReq.envelope as Record<string, unknown> | undefined;
  const caps = envelope?.[CLIENT_CAPABILITIES_META_KEY] as ClientCapabilities | undefined;
  const elicitation = caps?.elicitation as Record<string, unknown> | undefined;
  const form = elicitation !== undefined && (Object.keys(elicitation).length === 0 || elicitation.form !== undefined);
  if (!form) return { kind: "envelope" };
  const raw = ctx.mcpReq.requestState<VerifiedState | string>();
  // Without a verify hook the accessor returns the raw string; with ours it is always a VerifiedState.
  const state: VerifiedState | null =
    raw === undefined ? null : typeof raw === "string" ? { ok: false, reason: "unverified" } : raw;
  const view = inputResponse(ctx.mcpReq.inputResponses, CONFIRM_INPUT_KEY);
  const answer =
    view.kind !== "elicit"
      ? "missing"
      : view.action === "accept" && view.content?.approve === true
        ? "approve"
        : "decline";
  return { kind: "input", state, answer, mint: (id) => codec.mint({ cid: id }) };
}

/** The `input_required` answer to a first call: the proposal's summary as a form with one boolean. */
export function confirmationInputRequired(
  toolTitle: string,
  summary: string,
  requestState: string,
): InputRequiredResult {
  return inputRequired({
    inputRequests: {
      [CONFIRM_INPUT_KEY]: inputRequired.elicit({
        message: summary,
        requestedSchema: {
          type: "object",
          properties: {
            approve: {
              type: "boolean",
              title: `Approve: ${toolTitle}`,
              description: "Yes carries out exactly what is described above; no does nothing.",
              default: false,
            },
          },
          required: ["approve"],
        },
      }),
    },
    requestState,
  });
}
