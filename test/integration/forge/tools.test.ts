import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { desc, eq } from "drizzle-orm";
import { randomUUID } from "node:crypto";
import { auditLog } from "../../../src/store/schema/audit";
import { startTestAppliance, type TestAppliance } from "../../helpers/appliance";
import { obtainTokens } from "../../helpers/oauth";
import { call, connectSurface, errorText, ok } from "../../helpers/tool-calls";

/**
 * Every forge tool over real HTTP with real OAuth tokens and the MCP SDK client, against the demo data the
 * appliance seeded at start: happy path, bad input, another MSP's user naming a Harbor object, missing scope.
 */

let app: TestAppliance;
let harbor: Client; // tech@harbor-it: forge:read + forge:write
let otter: Client; // admin@otter-msp: another MSP
let staff: Client; // staff@contosocare: a user inside a client tenant
let readOnlyToken: string;
let writeOnlyToken: string;
const NOT_PERMITTED = "not found or not permitted";

const connect = (token: string): Promise<Client> => connectSurface(app, "forge", token);

beforeAll(async () => {
  app = await startTestAppliance();
  const [h, o, s, r, w] = await Promise.all([
    obtainTokens(app, { email: "tech@harbor-it.example", surface: "forge" }),
    obtainTokens(app, { email: "admin@otter-msp.example", surface: "forge" }),
    obtainTokens(app, { email: "staff@contosocare.example", surface: "forge" }),
    obtainTokens(app, { email: "tech@harbor-it.example", surface: "forge", scopes: ["forge:read"] }),
    obtainTokens(app, { email: "tech@harbor-it.example", surface: "forge", scopes: ["forge:write"] }),
  ]);
  harbor = await connect(h.access_token);
  otter = await connect(o.access_token);
  staff = await connect(s.access_token);
  readOnlyToken = r.access_token;
  writeOnlyToken = w.access_token;
}, 60_000);

afterAll(async () => {
  await harbor?.close();
  await otter?.close();
  await staff?.close();
  await app?.close();
});

async function expectMissingScope(token: string, name: string, args: Record<string, unknown>, scope: string) {
  const res = await fetch(`${app.baseUrl}/forge`, {
    method: "POST",
    headers: {
      authorization: `Bearer ${token}`,
      "content-type": "application/json",
      accept: "application/json, text/event-stream",
      "mcp-protocol-version": "2025-06-18",
    },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/call", params: { name, arguments: args } }),
  });
  expect(res.status).toBe(403);
  const challenge = res.headers.get("www-authenticate") ?? "";
  expect(challenge).toContain('error="insufficient_scope"');
  expect(challenge).toContain(scope);
  await res.body?.cancel();
}

type Hit = { id: string; tenant_id: string; scope: string; snippet: string; score: number };
type Doc = {
  id: string;
  kind: string;
  tenant_id: string;
  body: string;
  version: number;
  steps: { n: number; text: string }[] | null;
  versions: { version: number }[];
};

describe("forge_search_knowledge", () => {
  test("bm25 ranking, snippets, tenant boost over MSP-wide documents", async () => {
    const r = ok<{ items: Hit[]; next_cursor: string | null }>(
      await call(harbor, "forge_search_knowledge", { query: "how do I disable legacy authentication for a scanner" }),
    );
    expect(r.items[0]!.id).toBe("rb_block_legacy_auth");
    expect(r.items[0]!.snippet).toContain("**");
    expect(r.items[0]!.score).toBeGreaterThan(0);
    const ehr = ok<{ items: Hit[] }>(
      await call(harbor, "forge_search_knowledge", { query: "EHR outage", tenant_id: "contosocare" }),
    );
    expect(ehr.items[0]!.tenant_id).toBe("contosocare");
    expect(ehr.items.every((h) => h.tenant_id === "contosocare" || h.tenant_id === "harbor-it")).toBe(true);
    const runbooks = ok<{ items: { kind: string }[] }>(
      await call(harbor, "forge_search_knowledge", { query: "mfa", kinds: ["runbook"] }),
    );
    expect(runbooks.items.every((h) => h.kind === "runbook")).toBe(true);
    const page = ok<{ items: Hit[]; next_cursor: string | null }>(
      await call(harbor, "forge_search_knowledge", { query: "mfa email user", limit: 2 }),
    );
    expect(page.items).toHaveLength(2);
    const next = ok<{ items: Hit[] }>(
      await call(harbor, "forge_search_knowledge", { query: "mfa email user", limit: 2, cursor: page.next_cursor }),
    );
    expect(next.items.some((h) => page.items.some((p) => p.id === h.id))).toBe(false);
  });
  test("client staff read client-visible MSP documents, never internal ones", async () => {
    const r = ok<{ items: Hit[] }>(
      await call(staff, "forge_search_knowledge", { query: "quote discount approval authenticator" }),
    );
    const ids = r.items.map((h) => h.id);
    expect(ids).toContain("kb_authenticator_setup");
    expect(ids).not.toContain("kb_quote_approval_policy");
  });
  test("bad input: empty query, query without words, limit 0", async () => {
    expect(errorText(await call(harbor, "forge_search_knowledge", { query: "" }))).toContain("query");
    expect(errorText(await call(harbor, "forge_search_knowledge", { query: "?!" }))).toContain("meaningful word");
    expect(errorText(await call(harbor, "forge_search_knowledge", { query: "mfa", limit: 0 }))).toContain("limit");
  });
  test("cross-tenant: otter naming contosocare, and searching Harbor's content", async () => {
    expect(
      errorText(await call(otter, "forge_search_knowledge", { query: "EHR", tenant_id: "contosocare" })),
    ).toStartWith(NOT_PERMITTED);
    expect(
      ok<{ items: Hit[] }>(await call(otter, "forge_search_knowledge", { query: "offboarding legacy authentication" }))
        .items,
    ).toEqual([]);
  });
  test("missing scope", async () =>
    expectMissingScope(writeOnlyToken, "forge_search_knowledge", { query: "mfa" }, "forge:read"));
});

describe("forge_get_article / forge_get_runbook", () => {
  test("article with version history; earlier version; runbook with ordered steps", async () => {
    const a = ok<Doc>(await call(harbor, "forge_get_article", { article_id: "kb_quote_approval_policy" }));
    expect(a.body).toContain("15%");
    expect(a.versions.map((v) => v.version)).toEqual([2, 1]);
    const v1 = ok<Doc>(await call(harbor, "forge_get_article", { article_id: "kb_quote_approval_policy", version: 1 }));
    expect(v1.body).toContain("10%");
    const rb = ok<Doc>(await call(harbor, "forge_get_runbook", { runbook_id: "rb_suspicious_inbox_rule" }));
    expect(rb.steps!.map((s) => s.n)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });
  test("bad input: missing id, unknown version, wrong kind", async () => {
    expect(errorText(await call(harbor, "forge_get_article", {}))).toContain("article_id");
    expect(
      errorText(await call(harbor, "forge_get_article", { article_id: "kb_quote_approval_policy", version: 9 })),
    ).toContain("no version 9");
    expect(errorText(await call(harbor, "forge_get_article", { article_id: "rb_user_offboarding" }))).toBe(
      NOT_PERMITTED,
    );
  });
  test("cross-tenant: otter cannot read Harbor's documents; clinic staff cannot read internal ones", async () => {
    expect(errorText(await call(otter, "forge_get_article", { article_id: "kb_quote_approval_policy" }))).toBe(
      NOT_PERMITTED,
    );
    const [row] = await app.ctx.store.db
      .select()
      .from(auditLog)
      .where(eq(auditLog.tool, "forge_get_article"))
      .orderBy(desc(auditLog.seq))
      .limit(1);
    expect(row?.outcome).toBe("denied_cross_tenant");
    expect(errorText(await call(otter, "forge_get_runbook", { runbook_id: "rb_user_offboarding" }))).toBe(
      NOT_PERMITTED,
    );
    expect(errorText(await call(staff, "forge_get_article", { article_id: "kb_contosocare_ehr_escalation" }))).toBe(
      NOT_PERMITTED,
    );
    expect(ok<Doc>(await call(staff, "forge_get_runbook", { runbook_id: "rb_user_offboarding" })).tenant_id).toBe(
      "harbor-it",
    );
  });
  test("missing scope", async () => {
    await expectMissingScope(writeOnlyToken, "forge_get_article", { article_id: "kb_patch_policy" }, "forge:read");
    await expectMissingScope(writeOnlyToken, "forge_get_runbook", { runbook_id: "rb_user_offboarding" }, "forge:read");
  });
});

describe("forge_classify_request", () => {
  type Triage = {
    category: string;
    incident_type: string | null;
    priority: string;
    suggested_tool: string;
    suggested_tools: string[];
    explanation: string;
    knowledge_topics: string[];
    related_documents: { id: string; relevance: number }[];
  };
  test("ransomware is P1 security; no runbook is about ransomware, so none is padded in", async () => {
    const c = ok<Triage>(
      await call(harbor, "forge_classify_request", {
        text: "Reception PCs show a ransom note and all files on the shared drive are encrypted, nobody can work",
        tenant_id: "contosocare",
      }),
    );
    expect(c.category).toBe("security_incident");
    expect(c.incident_type).toBe("ransomware");
    expect(c.priority).toBe("P1");
    expect(c.explanation).toContain("P1");
    expect(c.suggested_tools.every((t) => t.startsWith("aegis_"))).toBe(true);
    expect(c.related_documents).toEqual([]);
    const q = ok<Triage>(
      await call(harbor, "forge_classify_request", {
        text: "Draft a quote for ContosoCare with one Operations Pro seat",
      }),
    );
    expect(q.category).toBe("sales_quote");
    expect(q.suggested_tool).toBe("cavalier_price_quote");
    expect(q.related_documents.map((d) => d.id)).toEqual(["kb_quote_approval_policy"]);
  });
  test("regression: 'pay this invoice to our new bank account' is business email compromise, not billing P4", async () => {
    const c = ok<Triage>(
      await call(harbor, "forge_classify_request", {
        text: "Please pay this invoice to our new bank account, the details are in the attached letter.",
        tenant_id: "fabrikam-law",
      }),
    );
    expect(c.category).toBe("security_incident");
    expect(c.incident_type).toBe("payment_fraud");
    expect(["P1", "P2"]).toContain(c.priority);
    expect(c.suggested_tool).toBe("aegis_list_findings");
    expect(c.suggested_tools).not.toContain("cavalier_list_quotes");
    // The BEC runbook carries both topics (bec, incident-response).
    expect(c.related_documents[0]).toEqual(expect.objectContaining({ id: "rb_suspicious_inbox_rule", relevance: 1 }));
  });
  test("regression: a printer request is not padded with BitLocker or offboarding runbooks", async () => {
    const c = ok<Triage>(
      await call(harbor, "forge_classify_request", {
        text: "The front desk printer is out of toner",
        tenant_id: "contosocare",
      }),
    );
    expect(c.category).toBe("hardware");
    expect(c.related_documents).toEqual([]);
    const leaver = ok<Triage>(
      await call(harbor, "forge_classify_request", { text: "Sophie's last day is Friday, please remove all access" }),
    );
    expect(leaver.related_documents.map((d) => d.id)).toEqual(["rb_user_offboarding"]);
    expect(leaver.related_documents.every((d) => d.relevance >= 0.5)).toBe(true);
  });
  test("bad input: empty text", async () => {
    expect(errorText(await call(harbor, "forge_classify_request", { text: "" }))).toContain("text");
  });
  test("cross-tenant", async () => {
    expect(
      errorText(await call(otter, "forge_classify_request", { text: "password reset", tenant_id: "contosocare" })),
    ).toStartWith(NOT_PERMITTED);
  });
  test("missing scope", async () =>
    expectMissingScope(writeOnlyToken, "forge_classify_request", { text: "help" }, "forge:read"));
});

describe("forge_summarize_entity", () => {
  test("a finding for a technician and for a client executive; a quote; a deal; a runbook", async () => {
    type S = { headline: string; summary: string; key_points: string[]; next_steps: string[]; tenant_id: string };
    const tech = ok<S>(
      await call(harbor, "forge_summarize_entity", {
        entity_type: "finding",
        entity_id: "fnd_fabrikam-law_legacy_auth",
        audience: "technician",
      }),
    );
    expect(tech.headline).toContain("[High / In Progress]");
    expect(tech.next_steps.join(" ")).toContain("SmtpClientAuthenticationDisabled");
    const exec = ok<S>(
      await call(harbor, "forge_summarize_entity", {
        entity_type: "finding",
        entity_id: "fnd_fabrikam-law_legacy_auth",
        audience: "client_executive",
        max_words: 40,
      }),
    );
    expect(exec.headline).not.toContain("authentication is not blocked (IMAP");
    expect(exec.summary).toContain("high risk");
    expect(exec.summary.split(/\s+/).length).toBeLessThanOrEqual(41);
    const quote = ok<S>(
      await call(harbor, "forge_summarize_entity", {
        entity_type: "quote",
        entity_id: "q_demo_0042_v1",
        audience: "client_executive",
      }),
    );
    expect(quote.headline).toContain("$255.60 per month before tax");
    expect(quote.summary).toContain("tax $18.53 (7.25%, not included in the prices above)");
    expect(quote.tenant_id).toBe("fabrikam-law");
    const mfa = ok<S & { facts: { field: string; value: unknown }[]; missing: unknown[] }>(
      await call(harbor, "forge_summarize_entity", {
        entity_type: "finding",
        entity_id: "fnd_contosocare_mfa_all",
        audience: "client_executive",
      }),
    );
    expect(mfa.key_points[0]).toBe("What it affects: 14 of 42 users");
    expect(mfa.summary).toContain("14 of 42 users");
    expect(mfa.facts.length).toBeGreaterThan(0);
    const deal = ok<S>(
      await call(harbor, "forge_summarize_entity", {
        entity_type: "deal",
        entity_id: "dl_demo_fabrikam_secuplift",
        audience: "technician",
      }),
    );
    expect(deal.headline).toContain("Security uplift");
    // Its only quote has expired: no estimate is invented ("$0.00 per month"), the gap is listed instead.
    const expired = ok<
      S & { missing: { field: string }[]; facts: { source_id: string; field: string; value: unknown }[] }
    >(
      await call(harbor, "forge_summarize_entity", {
        entity_type: "deal",
        entity_id: "dl_demo_contoso_opspro",
        audience: "client_executive",
      }),
    );
    expect(expired.summary).not.toContain("$0.00");
    expect(expired.key_points).toEqual(["Latest proposal Q-2026-0039: expired"]);
    expect(expired.missing.map((m) => m.field)).toContain("estimate");
    expect(expired.facts).toContainEqual({ source_id: "q_demo_0039_v1", field: "status", value: "expired" });
    const rb = ok<S>(
      await call(harbor, "forge_summarize_entity", {
        entity_type: "runbook",
        entity_id: "rb_user_offboarding",
        audience: "technician",
      }),
    );
    expect(rb.key_points[0]).toStartWith("1.");
  });
  test("bad input: unknown audience", async () => {
    expect(
      errorText(
        await call(harbor, "forge_summarize_entity", {
          entity_type: "finding",
          entity_id: "fnd_contosocare_dmarc",
          audience: "ceo",
        }),
      ),
    ).toContain("audience");
  });
  test("cross-tenant: otter summarising a Harbor finding or quote", async () => {
    expect(
      errorText(
        await call(otter, "forge_summarize_entity", {
          entity_type: "finding",
          entity_id: "fnd_contosocare_dmarc",
          audience: "technician",
        }),
      ),
    ).toBe(NOT_PERMITTED);
    expect(
      errorText(
        await call(otter, "forge_summarize_entity", {
          entity_type: "quote",
          entity_id: "q_demo_0042_v1",
          audience: "technician",
        }),
      ),
    ).toBe(NOT_PERMITTED);
  });
  test("missing scope", async () =>
    expectMissingScope(
      writeOnlyToken,
      "forge_summarize_entity",
      { entity_type: "finding", entity_id: "fnd_contosocare_dmarc", audience: "technician" },
      "forge:read",
    ));
});

describe("forge_draft_client_message", () => {
  type Fact = { source_id: string; field: string; value: string | number | boolean | null };
  type Drafted = {
    subject: string;
    body: string;
    to: string | null;
    contact_id: string | null;
    facts: Fact[];
    missing: { field: string; reason: string }[];
    sent: boolean;
    note: string;
  };
  /** Every money amount in a text must be one of the facts: the draft is built only from them. */
  const amountsGrounded = (text: string, facts: Fact[]) => {
    const values = new Set(facts.map((f) => String(f.value)));
    for (const amount of text.match(/[$£€][\d,]+\.\d{2}/g) ?? []) expect(values).toContain(amount);
  };
  test("quote cover note: line totals, subtotal, tax stated as excluded, total; every amount is a fact", async () => {
    const d = ok<Drafted>(
      await call(harbor, "forge_draft_client_message", {
        purpose: "quote_cover_note",
        entity_id: "q_demo_0042_v1",
        tone: "formal",
      }),
    );
    expect(d.subject).toContain("Q-");
    expect(d.body).toStartWith("Dear Rachel,");
    expect(d.to).toBe("Rachel Kim <rachel.kim@fabrikam-law.example>");
    expect(d.contact_id).toBe("ctc_demo_fabrikam_kim");
    expect(d.body).toContain("10% discount = $183.60 per month");
    expect(d.body).toContain("= $72.00 per month");
    expect(d.body).toContain(
      "Monthly recurring: subtotal $255.60 per month, tax $18.53 (7.25%, not included in the prices above), total $274.13 per month",
    );
    expect(d.body).toContain("First invoice: $274.13 including tax");
    amountsGrounded(d.body, d.facts);
    expect(d.facts).toContainEqual({ source_id: "q_demo_0042_v1#line1", field: "line_total", value: "$183.60" });
    expect(d.facts).toContainEqual({ source_id: "q_demo_0042_v1", field: "monthly.total", value: "$274.13" });
    expect(d.missing).toContainEqual(expect.objectContaining({ field: "one_time" }));
    expect(d.sent).toBe(false);
    expect(d.note).toContain("nothing was sent");
  });
  test("quote with one-time and recurring lines keeps the two apart", async () => {
    const d = ok<Drafted>(
      await call(harbor, "forge_draft_client_message", { purpose: "quote_cover_note", entity_id: "q_demo_0041_v2" }),
    );
    expect(d.body).toMatch(/One-time: subtotal [£$][\d,.]+, tax/);
    expect(d.body).toMatch(/Monthly recurring: subtotal [£$][\d,.]+ per month, tax/);
    expect(d.body).toContain("First invoice (one-time charges plus the first recurring period)");
    amountsGrounded(d.body, d.facts);
    expect(d.missing).toEqual([]);
  });
  test("regression: Dr. Maya Chen is greeted 'Dr. Chen', never 'Dr.'", async () => {
    const d = ok<Drafted>(
      await call(harbor, "forge_draft_client_message", { purpose: "quote_cover_note", entity_id: "q_demo_0039_v1" }),
    );
    expect(d.body).toStartWith("Hi Dr. Chen,");
    expect(d.body).not.toContain("Hi Dr.,");
    expect(d.to).toBe("Dr. Maya Chen <maya.chen@contosocare.example>");
  });
  test("regression: contact_name picks the addressee, and a name from another client is refused", async () => {
    const tom = ok<Drafted>(
      await call(harbor, "forge_draft_client_message", {
        purpose: "quote_cover_note",
        entity_id: "q_demo_0042_v1",
        contact_name: "tom becker",
      }),
    );
    expect(tom.body).toStartWith("Hi Tom,");
    expect(tom.to).toBe("Tom Becker <tom.becker@fabrikam-law.example>");
    const maya = errorText(
      await call(harbor, "forge_draft_client_message", {
        purpose: "quote_cover_note",
        entity_id: "q_demo_0042_v1",
        contact_name: "Maya Chen",
      }),
    );
    expect(maya).toContain("not a contact of");
    expect(maya).toContain("Rachel Kim");
  });
  test("finding explainer: the tenant's primary contact, and the finding's own numbers", async () => {
    const f = ok<Drafted>(
      await call(harbor, "forge_draft_client_message", {
        purpose: "finding_explainer",
        entity_id: "fnd_contosocare_mfa_all",
      }),
    );
    expect(f.body).toStartWith("Hi Dr. Chen,");
    expect(f.body).not.toContain("[CLIENT CONTACT]");
    expect(f.body).toContain("14 of 42 users");
    expect(f.body).not.toContain("4 systems or accounts");
    expect(f.facts).toContainEqual({
      source_id: "fnd_contosocare_mfa_all",
      field: "title (scale)",
      value: "14 of 42 users",
    });
    expect(f.body).toContain("second sign-in step");
    expect(f.body).not.toContain("Conditional Access");
  });
  test("bad input: unknown purpose, finding explainer with a quote id", async () => {
    expect(
      errorText(
        await call(harbor, "forge_draft_client_message", { purpose: "invoice_chaser", entity_id: "q_demo_0042_v1" }),
      ),
    ).toContain("purpose");
    expect(
      errorText(
        await call(harbor, "forge_draft_client_message", { purpose: "finding_explainer", entity_id: "q_demo_0042_v1" }),
      ),
    ).toContain("fnd_");
  });
  test("cross-tenant", async () => {
    expect(
      errorText(
        await call(otter, "forge_draft_client_message", { purpose: "quote_cover_note", entity_id: "q_demo_0042_v1" }),
      ),
    ).toBe(NOT_PERMITTED);
  });
  test("missing scope", async () =>
    expectMissingScope(
      writeOnlyToken,
      "forge_draft_client_message",
      { purpose: "quote_cover_note", entity_id: "q_demo_0042_v1" },
      "forge:read",
    ));
});

describe("forge_build_qbr_outline", () => {
  test("Tailspin: posture improvement, findings handled, open deals", async () => {
    const q = ok<{
      title: string;
      sections: { heading: string; bullets: string[] }[];
      talking_points: string[];
      metrics: { start_percent: number; end_percent: number; open_deals: number; findings_resolved: number };
    }>(await call(harbor, "forge_build_qbr_outline", { tenant_id: "tailspin-logistics" }));
    expect(q.title).toContain("Tailspin");
    expect(q.metrics.end_percent - q.metrics.start_percent).toBeGreaterThan(25);
    expect(q.metrics.findings_resolved).toBeGreaterThan(2);
    expect(q.metrics.open_deals).toBeGreaterThanOrEqual(1);
    const text = JSON.stringify(q.sections);
    expect(text).toContain("Warehouse kiosk management");
    expect(q.talking_points[0]).toContain("Celebrate");
    const grounded = q as unknown as {
      facts: { source_id: string; field: string }[];
      missing: { field: string; reason: string }[];
    };
    // Service review: from data present, the rest named as missing, never placeholder prose.
    expect(text).not.toContain("(from the PSA)");
    expect(text).not.toContain("[Record decisions");
    expect(text).toMatch(/median [\d.]+ days from detection to fix/);
    expect(grounded.missing.map((m) => m.field)).toContain("ticket_volumes");
    expect(grounded.facts).toContainEqual(
      expect.objectContaining({ source_id: "tailspin-logistics", field: "findings_resolved_in_period" }),
    );
  });
  test("bad input: missing tenant_id, bad date", async () => {
    expect(errorText(await call(harbor, "forge_build_qbr_outline", {}))).toContain("tenant_id");
    expect(
      errorText(await call(harbor, "forge_build_qbr_outline", { tenant_id: "contosocare", period_start: "Q3" })),
    ).toContain("ISO 8601");
  });
  test("cross-tenant", async () => {
    expect(errorText(await call(otter, "forge_build_qbr_outline", { tenant_id: "tailspin-logistics" }))).toStartWith(
      NOT_PERMITTED,
    );
  });
  test("missing scope", async () =>
    expectMissingScope(writeOnlyToken, "forge_build_qbr_outline", { tenant_id: "contosocare" }, "forge:read"));
});

describe("forge_save_article / forge_save_runbook", () => {
  test("create, replay with the same key, conflict on a reused key, new version; the index follows", async () => {
    const key = randomUUID();
    const args = {
      tenant_id: "harbor-it",
      title: "Ricoh scanners: scan to email after SMTP AUTH is disabled",
      summary: "How to point Ricoh MFPs at the Exchange Online relay connector.",
      body: "Set SMTP server to <tenant>.mail.protection.outlook.com port 25, no authentication; add the site's static IP to the inbound connector.",
      tags: ["ricoh", "smtp-relay"],
      visibility: "internal",
      change_note: "Written after the Fabrikam legacy-auth change",
      idempotency_key: key,
    };
    const first = ok<{ document: Doc; created: boolean; replayed: boolean }>(
      await call(harbor, "forge_save_article", args),
    );
    expect(first.created).toBe(true);
    expect(first.document.version).toBe(1);
    const again = ok<{ document: Doc; replayed: boolean }>(await call(harbor, "forge_save_article", args));
    expect(again.replayed).toBe(true);
    expect(again.document.id).toBe(first.document.id);
    expect(errorText(await call(harbor, "forge_save_article", { ...args, body: "something else" }))).toContain(
      "idempotency_key",
    );
    const v2 = ok<{ document: Doc }>(
      await call(harbor, "forge_save_article", {
        ...args,
        tenant_id: undefined,
        article_id: first.document.id,
        body: `${args.body} Kyocera devices work the same way.`,
        idempotency_key: randomUUID(),
      }),
    );
    expect(v2.document.version).toBe(2);
    const hits = ok<{ items: Hit[] }>(await call(harbor, "forge_search_knowledge", { query: "kyocera" }));
    expect(hits.items[0]!.id).toBe(first.document.id);

    const rb = ok<{ document: Doc }>(
      await call(harbor, "forge_save_runbook", {
        tenant_id: "fabrikam-law",
        title: "Fabrikam: grant matter workspace access",
        when_to_use: "A Fabrikam user asks for access to a matter workspace.",
        steps: [
          { text: "Get written approval from the responsible partner." },
          { text: "Copy conflicts@ on the change.", requires_role: "technician" },
          { text: "Add the user to the matter group only." },
        ],
        visibility: "internal",
        change_note: "New",
        idempotency_key: randomUUID(),
      }),
    );
    expect(rb.document.steps!.map((s) => s.n)).toEqual([1, 2, 3]);
    expect(rb.document.body).toContain("2. Copy conflicts@");
  });
  test("bad input: short idempotency key, runbook without steps, article for a tenant without tenant_id", async () => {
    const base = { title: "Title", summary: "Summary", body: "Body", visibility: "internal", change_note: "note" };
    expect(
      errorText(
        await call(harbor, "forge_save_article", { ...base, tenant_id: "harbor-it", idempotency_key: "short" }),
      ),
    ).toContain("idempotency_key");
    expect(errorText(await call(harbor, "forge_save_article", { ...base, idempotency_key: randomUUID() }))).toContain(
      "tenant_id is required",
    );
    expect(
      errorText(
        await call(harbor, "forge_save_runbook", {
          title: "T",
          when_to_use: "W",
          steps: [],
          visibility: "internal",
          change_note: "n",
          idempotency_key: randomUUID(),
          tenant_id: "harbor-it",
        }),
      ),
    ).toContain("steps");
  });
  test("cross-tenant: otter cannot version Harbor's article or write into a Harbor tenant; staff cannot edit MSP-wide", async () => {
    const base = {
      title: "Hijack",
      summary: "Hijack",
      body: "Hijack",
      visibility: "client",
      change_note: "mine",
      idempotency_key: randomUUID(),
    };
    expect(errorText(await call(otter, "forge_save_article", { ...base, article_id: "kb_patch_policy" }))).toBe(
      NOT_PERMITTED,
    );
    expect(errorText(await call(otter, "forge_save_article", { ...base, tenant_id: "contosocare" }))).toStartWith(
      NOT_PERMITTED,
    );
    expect(errorText(await call(staff, "forge_save_article", { ...base, article_id: "kb_authenticator_setup" }))).toBe(
      NOT_PERMITTED,
    );
    const doc = ok<Doc>(await call(harbor, "forge_get_article", { article_id: "kb_patch_policy" }));
    expect(doc.version).toBe(1);
  });
  test("missing scope", async () => {
    await expectMissingScope(
      readOnlyToken,
      "forge_save_article",
      {
        title: "T",
        summary: "S",
        body: "B",
        visibility: "internal",
        change_note: "n",
        idempotency_key: randomUUID(),
        tenant_id: "harbor-it",
      },
      "forge:write",
    );
    await expectMissingScope(
      readOnlyToken,
      "forge_save_runbook",
      {
        title: "T",
        when_to_use: "W",
        steps: [{ text: "x" }],
        visibility: "internal",
        change_note: "n",
        idempotency_key: randomUUID(),
      },
      "forge:write",
    );
  });
});

describe("forge_archive_document (destructive: confirmation round-trip)", () => {
  type Archived = { at: string; by: string; reason: string } | null;
  type ArchDoc = Doc & { archived: Archived; versions: { version: number; change_note: string }[] };
  type Envelope = {
    status: string;
    summary: string;
    proposal: {
      document: { id: string; title: string; kind: string; tenant_id: string; version: number; visibility: string };
      consequences: string[];
    };
    confirmation_token: string;
  };
  const DOC = "kb_report_phishing";
  const reason = "Replaced by the new phishing-response runbook";
  const searchIds = async (client: Client, query: string) =>
    ok<{ items: Hit[] }>(await call(client, "forge_search_knowledge", { query })).items.map((h) => h.id);
  const lastAudit = async () =>
    (
      await app.ctx.store.db
        .select()
        .from(auditLog)
        .where(eq(auditLog.tool, "forge_archive_document"))
        .orderBy(desc(auditLog.seq))
        .limit(1)
    )[0];

  test("client user cannot archive a document they can read: told only MSP staff may", async () => {
    const text = errorText(await call(staff, "forge_archive_document", { document_id: DOC, reason }));
    expect(text).toContain("only MSP staff");
    expect((await lastAudit())?.outcome).toBe("tool_error");
    expect(ok<ArchDoc>(await call(harbor, "forge_get_article", { article_id: DOC })).archived).toBeNull();
  });

  test("another MSP's user: not found or not permitted, audited denied_cross_tenant", async () => {
    expect(errorText(await call(otter, "forge_archive_document", { document_id: DOC, reason }))).toBe(NOT_PERMITTED);
    expect((await lastAudit())?.outcome).toBe("denied_cross_tenant");
    expect(errorText(await call(otter, "forge_archive_document", { document_id: "kb_does_not_exist", reason }))).toBe(
      NOT_PERMITTED,
    );
  });

  test("missing scope", async () =>
    expectMissingScope(readOnlyToken, "forge_archive_document", { document_id: DOC, reason }, "forge:write"));

  test("bad input: missing reason, reason too short, reason too long, missing document_id", async () => {
    expect(errorText(await call(harbor, "forge_archive_document", { document_id: DOC }))).toContain("reason");
    expect(errorText(await call(harbor, "forge_archive_document", { document_id: DOC, reason: "no" }))).toContain(
      "reason",
    );
    expect(
      errorText(await call(harbor, "forge_archive_document", { document_id: DOC, reason: "x".repeat(501) })),
    ).toContain("reason");
    expect(errorText(await call(harbor, "forge_archive_document", { document_id: DOC, reason: "   " }))).toContain(
      "reason",
    );
    expect(errorText(await call(harbor, "forge_archive_document", { reason }))).toContain("document_id");
    expect((await lastAudit())?.outcome).toBe("invalid_input");
  });

  test("confirmation first (nothing changed), then archived: out of search, hidden from clients, MSP get shows who and why; a new version un-archives", async () => {
    expect(await searchIds(harbor, "report phishing email")).toContain(DOC);
    expect(await searchIds(staff, "report phishing email")).toContain(DOC);
    const before = ok<ArchDoc>(await call(harbor, "forge_get_article", { article_id: DOC }));

    const first = ok<Envelope>(await call(harbor, "forge_archive_document", { document_id: DOC, reason }));
    expect(first.status).toBe("confirmation_required");
    expect(first.summary).toContain("How to report a phishing email");
    expect(first.summary).toContain("visibility client");
    expect(first.summary).toContain("un-archives");
    expect(first.proposal.document).toMatchObject({
      id: DOC,
      kind: "article",
      tenant_id: "harbor-it",
      version: before.version,
      visibility: "client",
    });
    expect(first.proposal.consequences.join(" ")).toContain("forge_search_knowledge");
    expect((await lastAudit())?.outcome).toBe("confirmation_required");
    // Nothing happened yet.
    const unchanged = ok<ArchDoc>(await call(harbor, "forge_get_article", { article_id: DOC }));
    expect(unchanged.archived).toBeNull();
    expect(unchanged.version).toBe(before.version);
    expect(await searchIds(staff, "report phishing email")).toContain(DOC);

    const done = ok<{ document: ArchDoc; archived_now: boolean; note: string }>(
      await call(harbor, "forge_archive_document", {
        document_id: DOC,
        reason,
        confirmed: true,
        confirmation_token: first.confirmation_token,
      }),
    );
    expect(done.archived_now).toBe(true);
    expect(done.document.archived).toMatchObject({ reason });
    expect((await lastAudit())?.outcome).toBe("confirmed");

    expect(await searchIds(harbor, "report phishing email")).not.toContain(DOC);
    expect(await searchIds(staff, "report phishing email")).not.toContain(DOC);
    const msp = ok<ArchDoc>(await call(harbor, "forge_get_article", { article_id: DOC }));
    expect(msp.archived?.reason).toBe(reason);
    expect(msp.archived?.by.length).toBeGreaterThan(0);
    expect(Date.parse(msp.archived!.at)).not.toBeNaN();
    expect(msp.version).toBe(before.version + 1);
    expect(msp.versions[0]).toMatchObject({ version: before.version + 1, change_note: `Archived: ${reason}` });
    expect(msp.body).toBe(before.body);
    expect(errorText(await call(staff, "forge_get_article", { article_id: DOC }))).toBe(NOT_PERMITTED);
    // The client user cannot even see it to archive (or revive) it now.
    expect(errorText(await call(staff, "forge_archive_document", { document_id: DOC, reason }))).toBe(NOT_PERMITTED);

    // Idempotent: archiving again changes nothing.
    const again = ok<Envelope>(await call(harbor, "forge_archive_document", { document_id: DOC, reason: "again" }));
    expect(again.summary).toContain("already archived");
    const noop = ok<{ document: ArchDoc; archived_now: boolean }>(
      await call(harbor, "forge_archive_document", {
        document_id: DOC,
        reason: "again",
        confirmed: true,
        confirmation_token: again.confirmation_token,
      }),
    );
    expect(noop.archived_now).toBe(false);
    expect(noop.document.version).toBe(before.version + 1);
    expect(noop.document.archived?.reason).toBe(reason);

    // Saving a new version un-archives it.
    const revived = ok<{ document: ArchDoc }>(
      await call(harbor, "forge_save_article", {
        article_id: DOC,
        title: "How to report a phishing email",
        summary: "What staff should do with a suspicious email, and what to do if they already clicked.",
        body: `${before.body}\n\nUpdated for the new report button.`,
        visibility: "client",
        change_note: "Brought back with the new report button",
        idempotency_key: randomUUID(),
      }),
    );
    expect(revived.document.archived).toBeNull();
    expect(revived.document.version).toBe(before.version + 2);
    expect(revived.document.versions[0]!.change_note).toContain("un-archived");
    expect(await searchIds(staff, "report phishing email")).toContain(DOC);
  });
});
