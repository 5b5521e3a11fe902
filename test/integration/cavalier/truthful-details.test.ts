import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { randomUUID } from "node:crypto";
import { userIdForEmail } from "../../../src/tenancy/sync";
import { startTestAppliance, type TestAppliance } from "../../helpers/appliance";
import { obtainTokens } from "../../helpers/oauth";
import { call, confirmed, connectSurface, ok } from "../../helpers/tool-calls";

/**
 * Details a user reads and repeats to a customer, through the real MCP client against the seeded demo: a revised
 * quote's title, a deal's close date in the past, and the people behind ids.
 */

let app: TestAppliance;
let cavalier: Client;
let forge: Client;
const DAY = 86_400_000;

beforeAll(async () => {
  app = await startTestAppliance();
  const [c, f] = await Promise.all([
    obtainTokens(app, { email: "tech@harbor-it.example", surface: "cavalier" }),
    obtainTokens(app, { email: "tech@harbor-it.example", surface: "forge" }),
  ]);
  cavalier = await connectSurface(app, "cavalier", c.access_token);
  forge = await connectSurface(app, "forge", f.access_token);
}, 60_000);

afterAll(async () => {
  await cavalier?.close();
  await forge?.close();
  await app?.close();
});

type Person = { id: string; name: string };
type Quote = { id: string; title: string; contact: Person | null; deal_id: string | null };
type Deal = { id: string; expected_close_date: string | null; owner: Person | null; primary_contact: Person | null };

describe("cavalier_revise_quote", () => {
  // Regression: a 45-seat revision kept the title "Operations Pro rollout — 42 seats", which then spread into the
  // cover note and the deal views.
  test("a title that states quantities follows the revised lines, into the cover note and the deal", async () => {
    const before = ok<{ quote: Quote }>(await call(cavalier, "cavalier_get_quote", { quote_id: "q_demo_0039_v1" }));
    expect(before.quote.title).toBe("Operations Pro rollout — 42 seats");
    const { proposal, result } = await confirmed<{ quote: Quote }>(cavalier, "cavalier_revise_quote", {
      quote_id: "q_demo_0039_v1",
      lines: [
        { product: "OPS-PRO-SEAT", quantity: 45 },
        { product: "ONB-FEE", quantity: 1 },
      ],
      idempotency_key: randomUUID(),
    });
    expect(proposal.summary).toContain(
      'Title: "Operations Pro rollout — 42 seats" becomes "Operations Pro rollout — 45 seats".',
    );
    expect(result.quote.title).toBe("Operations Pro rollout — 45 seats");

    const note = ok<{ subject: string; body: string }>(
      await call(forge, "forge_draft_client_message", { purpose: "quote_cover_note", entity_id: result.quote.id }),
    );
    expect(`${note.subject}\n${note.body}`).not.toContain("42 seats");
    expect(note.body).toContain("45");

    const deal = ok<{ quotes: { id: string; title: string }[] }>(
      await call(cavalier, "cavalier_get_deal", { deal_id: result.quote.deal_id! }),
    );
    expect(deal.quotes.find((q) => q.id === result.quote.id)?.title).toBe("Operations Pro rollout — 45 seats");
  });
});

describe("cavalier_create_deal", () => {
  test("a past expected_close_date is saved, with a warning in the result", async () => {
    const yesterday = new Date(Date.now() - DAY).toISOString().slice(0, 10);
    const past = ok<{ deal: Deal; warnings: string[] }>(
      await call(cavalier, "cavalier_create_deal", {
        tenant_id: "contosocare",
        name: "Printer fleet refresh",
        expected_close_date: yesterday,
        idempotency_key: randomUUID(),
      }),
    );
    expect(past.deal.expected_close_date).toBe(yesterday);
    expect(past.warnings).toHaveLength(1);
    expect(past.warnings[0]).toContain(`expected_close_date ${yesterday} is in the past`);

    const future = ok<{ warnings: string[] }>(
      await call(cavalier, "cavalier_create_deal", {
        tenant_id: "contosocare",
        name: "Wi-Fi survey",
        expected_close_date: new Date(Date.now() + 30 * DAY).toISOString().slice(0, 10),
        idempotency_key: randomUUID(),
      }),
    );
    expect(future.warnings).toEqual([]);
  });
});

describe("people are shown by name, with the id beside it", () => {
  // Regression: deals and quotes showed owner and contact ids only.
  test("a deal's owner and contact, a quote's contact", async () => {
    const { deal } = ok<{ deal: Deal }>(
      await call(cavalier, "cavalier_get_deal", { deal_id: "dl_demo_contoso_opspro" }),
    );
    expect(deal.owner).toEqual({ id: userIdForEmail("admin@harbor-it.example"), name: "admin" });
    expect(deal.primary_contact).toEqual({ id: "ctc_demo_contoso_chen", name: "Dr. Maya Chen" });
    const { quote } = ok<{ quote: Quote }>(await call(cavalier, "cavalier_get_quote", { quote_id: "q_demo_0039_v1" }));
    expect(quote.contact).toEqual({ id: "ctc_demo_contoso_chen", name: "Dr. Maya Chen" });

    const created = ok<{ deal: Deal }>(
      await call(cavalier, "cavalier_create_deal", {
        tenant_id: "contosocare",
        name: "Phone system",
        contact_id: "ctc_demo_contoso_chen",
        idempotency_key: randomUUID(),
      }),
    );
    expect(created.deal.owner).toEqual({ id: userIdForEmail("tech@harbor-it.example"), name: "tech" });
    expect(created.deal.primary_contact).toEqual({ id: "ctc_demo_contoso_chen", name: "Dr. Maya Chen" });
    const listed = ok<{ items: Deal[] }>(await call(cavalier, "cavalier_list_deals", { tenant_id: "contosocare" }));
    expect(listed.items.find((d) => d.id === created.deal.id)?.primary_contact?.name).toBe("Dr. Maya Chen");
  });
});
