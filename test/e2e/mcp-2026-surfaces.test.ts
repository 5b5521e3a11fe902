import type { Client } from "@modelcontextprotocol/client";
import { Client as Client1 } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport as Transport1 } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { randomUUID } from "node:crypto";
import { and, count, desc, eq, isNotNull } from "drizzle-orm";
import type { SurfaceName } from "../../src/config/schema";
import { aegisFindings } from "../../src/store/schema/aegis";
import { auditLog } from "../../src/store/schema/audit";
import { quotes } from "../../src/store/schema/cavalier";
import { forgeDocuments } from "../../src/store/schema/forge";
import { startTestAppliance, type TestAppliance } from "../helpers/appliance";
import { connectModern, type ElicitationAnswers, postModern, type SentBodies } from "../helpers/mcp-modern";
import { obtainTokens } from "../helpers/oauth";

/**
 * The three client modes on every surface, against a started appliance over real HTTP: the SDK's 2.x client pinned
 * to MCP 2026-07-28, the 2.x client in auto mode (server/discover, then the best revision both speak), and the 1.x
 * client (initialize at 2025-11-25). Each lists tools, calls a read tool, and runs a destructive tool: the modern
 * clients confirm through input_required + form elicitation (approve: exactly one effect; decline: none; a replayed
 * requestState: none), the 1.x client through the confirmation_required envelope.
 */

type Args = Record<string, unknown>;

interface SurfaceCase {
  surface: SurfaceName;
  read: { name: string; args: Args };
  destructive: string;
  /** Distinct arguments per run, so each run's effect can be told apart. */
  targets: { approve: Args; decline: Args; auto: Args; legacy: Args };
  /** How many times the effect of `args` exists now. */
  effects: (args: Args) => Promise<number>;
  summaryMentions: string;
}

let app: TestAppliance;
const tokens = {} as Record<SurfaceName, string>;

const quoteArgs = (): Args => ({
  tenant_id: "ContosoCare",
  lines: [{ product: "Operations Pro", quantity: 1 }],
  idempotency_key: randomUUID(),
});
const suppressArgs = (finding: string): Args => ({
  finding_id: finding,
  reason: "accepted_risk",
  justification: "Reviewed with the client's owner; compensating control in place.",
  expires_at: new Date(Date.now() + 30 * 86_400_000).toISOString(),
});
const archiveArgs = (doc: string): Args => ({ document_id: doc, reason: "Superseded by the current runbook" });

/** Quotes of ContosoCare created since the run started, counted per run through the idempotency key's audit row. */
let contosoQuotesBefore = 0;
const quoteCount = async () =>
  (await app.ctx.store.db.select({ n: count() }).from(quotes).where(eq(quotes.tenantId, "contosocare")))[0]!.n;

const CASES: SurfaceCase[] = [
  {
    surface: "cavalier",
    read: { name: "cavalier_search_products", args: { query: "Operations Pro" } },
    destructive: "cavalier_create_quote",
    targets: { approve: quoteArgs(), decline: quoteArgs(), auto: quoteArgs(), legacy: quoteArgs() },
    // The quote a run's idempotency key created: the confirmed audit row names it.
    effects: async (args) => {
      const rows = await app.ctx.store.db
        .select()
        .from(auditLog)
        .where(and(eq(auditLog.tool, "cavalier_create_quote"), eq(auditLog.outcome, "confirmed")));
      return rows.filter((r) => JSON.stringify(r.detail).includes(String(args.idempotency_key))).length;
    },
    summaryMentions: "ContosoCare",
  },
  {
    surface: "aegis",
    read: { name: "aegis_get_finding", args: { finding_id: "fnd_contosocare_patch" } },
    destructive: "aegis_suppress_finding",
    targets: {
      approve: suppressArgs("fnd_contosocare_dmarc"),
      decline: suppressArgs("fnd_contosocare_browser"),
      auto: suppressArgs("fnd_contosocare_bitlocker"),
      legacy: suppressArgs("fnd_contosocare_breakglass"),
    },
    effects: async (args) =>
      (
        await app.ctx.store.db
          .select({ n: count() })
          .from(aegisFindings)
          .where(and(eq(aegisFindings.id, String(args.finding_id)), eq(aegisFindings.statusId, 3)))
      )[0]!.n,
    summaryMentions: "Suppress",
  },
  {
    surface: "forge",
    read: { name: "forge_search_knowledge", args: { query: "phishing" } },
    destructive: "forge_archive_document",
    targets: {
      approve: archiveArgs("kb_dmarc_rollout"),
      decline: archiveArgs("kb_tailspin_kiosks"),
      auto: archiveArgs("kb_fabrikam_dms_access"),
      legacy: archiveArgs("kb_fabrikam_after_hours"),
    },
    effects: async (args) =>
      (
        await app.ctx.store.db
          .select({ n: count() })
          .from(forgeDocuments)
          .where(and(eq(forgeDocuments.id, String(args.document_id)), isNotNull(forgeDocuments.archivedAt)))
      )[0]!.n,
    summaryMentions: "rchive",
  },
];

beforeAll(async () => {
  app = await startTestAppliance();
  for (const c of CASES)
    tokens[c.surface] = (await obtainTokens(app, { email: "tech@harbor-it.example", surface: c.surface })).access_token;
  contosoQuotesBefore = await quoteCount();
}, 120_000);

afterAll(async () => {
  await app?.close();
});

const approve = (): ElicitationAnswers => ({ answer: { action: "accept", content: { approve: true } }, asked: [] });

async function lastOutcomes(tool: string, n: number): Promise<string[]> {
  const rows = await app.ctx.store.db
    .select({ outcome: auditLog.outcome })
    .from(auditLog)
    .where(eq(auditLog.tool, tool))
    .orderBy(desc(auditLog.seq))
    .limit(n);
  return rows.map((r) => r.outcome);
}

function textOf(res: { content?: unknown }): string {
  return ((res.content ?? []) as { text?: string }[]).map((c) => c.text ?? "").join(" ");
}

for (const c of CASES) {
  describe(`${c.surface}: the 2.x client pinned to 2026-07-28`, () => {
    let client: Client;
    const answers = approve();
    const sent: SentBodies = [];

    beforeAll(async () => {
      client = await connectModern(app, c.surface, tokens[c.surface], { pin: "2026-07-28" }, answers, sent);
    });
    afterAll(async () => {
      await client?.close();
    });

    test("negotiates 2026-07-28, lists tools (cacheable, the same for everyone) and calls a read tool", async () => {
      expect(client.getNegotiatedProtocolVersion()).toBe("2026-07-28");
      const list = (await client.listTools()) as { tools: { name: string }[]; ttlMs?: number; cacheScope?: string };
      expect(list.tools.map((t) => t.name)).toContain(c.destructive);
      expect(list.ttlMs).toBeGreaterThan(0);
      expect(list.cacheScope).toBe("public");
      const read = await client.callTool({ name: c.read.name, arguments: c.read.args });
      expect(read.isError).toBeFalsy();
      expect(read.structuredContent).toBeDefined();
    });

    test("approve: the form shows the proposal's summary; the tool runs exactly once; both calls audited", async () => {
      const args = c.targets.approve;
      expect(await c.effects(args)).toBe(0);
      const res = await client.callTool({ name: c.destructive, arguments: args });
      expect(res.isError).toBeFalsy();
      expect((res.structuredContent as { status?: string }).status).not.toBe("confirmation_required");
      expect(answers.asked).toHaveLength(1);
      expect(answers.asked[0]!.message).toContain(c.summaryMentions);
      expect(JSON.stringify(answers.asked[0]!.requestedSchema)).toContain('"approve"');
      expect(await c.effects(args)).toBe(1);
      expect(await lastOutcomes(c.destructive, 2)).toEqual(["confirmed", "confirmation_required"]);
    });

    test("a replayed requestState (the approved retry sent again) runs nothing and is audited", async () => {
      const retry = sent.find(
        (b) =>
          b.method === "tools/call" &&
          (b.params as { requestState?: string; name?: string }).requestState !== undefined &&
          (b.params as { name?: string }).name === c.destructive,
      );
      expect(retry).toBeDefined();
      const before = await c.effects(c.targets.approve);
      const r = await postModern(app, c.surface, tokens[c.surface], retry!);
      expect(r.status).toBe(200);
      const result = r.json.result as { isError?: boolean; content: { text: string }[] };
      expect(result.isError).toBe(true);
      expect(result.content[0]!.text).toContain("nothing was done");
      expect(await c.effects(c.targets.approve)).toBe(before);
      expect(await lastOutcomes(c.destructive, 1)).toEqual(["invalid_input"]);
    });

    test("decline: nothing is done, and the audit says declined", async () => {
      answers.answer = { action: "decline" };
      answers.asked.length = 0;
      const args = c.targets.decline;
      const res = await client.callTool({ name: c.destructive, arguments: args });
      expect(res.isError).toBe(true);
      expect(textOf(res)).toContain("declined");
      expect(answers.asked).toHaveLength(1);
      expect(await c.effects(args)).toBe(0);
      expect(await lastOutcomes(c.destructive, 2)).toEqual(["declined", "confirmation_required"]);
    });
  });

  describe(`${c.surface}: the 2.x client in auto mode`, () => {
    test("lands on 2026-07-28 through server/discover; approve runs the tool once", async () => {
      const answers = approve();
      const client = await connectModern(app, c.surface, tokens[c.surface], "auto", answers);
      try {
        expect(client.getNegotiatedProtocolVersion()).toBe("2026-07-28");
        expect((await client.listTools()).tools.length).toBeGreaterThan(0);
        expect((await client.callTool({ name: c.read.name, arguments: c.read.args })).isError).toBeFalsy();
        const res = await client.callTool({ name: c.destructive, arguments: c.targets.auto });
        expect(res.isError).toBeFalsy();
        expect(answers.asked).toHaveLength(1);
        expect(await c.effects(c.targets.auto)).toBe(1);
      } finally {
        await client.close();
      }
    });
  });

  describe(`${c.surface}: the 1.x client (2025-11-25)`, () => {
    test("lists, reads, and confirms through the confirmation_required envelope, unchanged", async () => {
      const client = new Client1({ name: "legacy", version: "1.0.0" });
      await client.connect(
        new Transport1(new URL(`${app.baseUrl}/${c.surface}`), {
          requestInit: { headers: { authorization: `Bearer ${tokens[c.surface]}` } },
        }),
      );
      try {
        expect(client.getServerVersion()?.name).toBe(`cavaridge-${c.surface}`);
        expect((await client.listTools()).tools.map((t) => t.name)).toContain(c.destructive);
        expect((await client.callTool({ name: c.read.name, arguments: c.read.args })).isError).toBeFalsy();
        const first = await client.callTool({ name: c.destructive, arguments: c.targets.legacy });
        const envelope = first.structuredContent as { status: string; confirmation_token: string };
        expect(envelope.status).toBe("confirmation_required");
        expect(await c.effects(c.targets.legacy)).toBe(0);
        const done = await client.callTool({
          name: c.destructive,
          arguments: { ...c.targets.legacy, confirmed: true, confirmation_token: envelope.confirmation_token },
        });
        expect(done.isError).toBeFalsy();
        expect(await c.effects(c.targets.legacy)).toBe(1);
      } finally {
        await client.close();
      }
    });
  });
}

describe("cavalier: the seed conversation, end to end on 2026-07-28", () => {
  test("approve leaves exactly one new draft quote; decline and replay add none", async () => {
    // The runs above: pinned approve (1), pinned decline (0), replay (0), auto approve (1), 1.x (1).
    expect((await quoteCount()) - contosoQuotesBefore).toBe(3);
    const [approved] = await app.ctx.store.db
      .select()
      .from(quotes)
      .where(eq(quotes.tenantId, "contosocare"))
      .orderBy(desc(quotes.createdAt))
      .limit(1);
    expect(approved?.status).toBe("draft");
  });
});
