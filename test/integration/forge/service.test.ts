import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { count, eq, isNull } from "drizzle-orm";
import { forgeDocumentVersions, forgeDocuments } from "../../../src/store/schema/forge";
import { classifyRequest } from "../../../src/surfaces/forge/classify";
import { seedForge } from "../../../src/demo/forge-seed";
import { getDocument, updateReadVersion } from "../../../src/surfaces/forge/documents";
import { ForgeError } from "../../../src/surfaces/forge/errors";
import { saveDocument } from "../../../src/surfaces/forge/save-document";
import { ftsQueryFor, searchKnowledge } from "../../../src/surfaces/forge/search";
import { openStoreFixture, type StoreFixture } from "../aegis/fixture";

const NOW = Date.parse("2026-11-24T10:00:00Z");
let fx: StoreFixture;
beforeAll(async () => {
  fx = await openStoreFixture();
  await seedForge(fx.store.db, NOW);
});
afterAll(() => fx.close());

const tech = () => fx.scopeFor("tech@harbor-it.example", "technician", "harbor-it");
const clinicStaff = () => fx.scopeFor("staff@contosocare.example", "technician", "contosocare");
const otter = () => fx.scopeFor("admin@otter-msp.example", "msp_admin", "otter-msp");
const actor = { userId: "usr_t", name: "Taylor Tech" };

describe("forge seed", () => {
  test("seeding twice changes nothing", async () => {
    const docs = await fx.store.db.select({ n: count() }).from(forgeDocuments);
    const vers = await fx.store.db.select({ n: count() }).from(forgeDocumentVersions);
    expect((await seedForge(fx.store.db, NOW + 86_400_000)).documents).toBe(0);
    expect(await fx.store.db.select({ n: count() }).from(forgeDocuments)).toEqual(docs);
    expect(await fx.store.db.select({ n: count() }).from(forgeDocumentVersions)).toEqual(vers);
  });
});

describe("forge search", () => {
  test("bm25 puts the title match first and stems words", async () => {
    const r = await searchKnowledge(fx.store.db, await tech(), { query: "how do I disable legacy authentication?" });
    expect(r.items[0]!.id).toBe("rb_block_legacy_auth");
    const stem = await searchKnowledge(fx.store.db, await tech(), { query: "offboard leavers" });
    expect(stem.items.map((i) => i.id)).toContain("rb_user_offboarding");
  });

  test("tenant filter boosts the tenant's own documents and includes MSP-wide ones", async () => {
    const r = await searchKnowledge(fx.store.db, await tech(), {
      query: "EHR outage escalation",
      tenantId: "contosocare",
    });
    expect(r.items[0]!.tenantId).toBe("contosocare");
    const tenantsSeen = new Set(r.items.map((i) => i.tenantId));
    expect([...tenantsSeen].every((t) => t === "contosocare" || t === "harbor-it")).toBe(true);
  });

  test("client staff see only client-visible MSP documents; other MSPs see nothing", async () => {
    const staff = await searchKnowledge(fx.store.db, await clinicStaff(), {
      query: "quote discount policy authenticator phishing",
    });
    const ids = staff.items.map((i) => i.id);
    expect(ids).toContain("kb_authenticator_setup");
    expect(ids).not.toContain("kb_quote_approval_policy");
    await expect(
      getDocument(fx.store.db, await clinicStaff(), { id: "kb_quote_approval_policy", kind: "article" }),
    ).rejects.toThrow("not found or not permitted");
    await expect(
      getDocument(fx.store.db, await clinicStaff(), { id: "kb_contosocare_ehr_escalation", kind: "article" }),
    ).rejects.toThrow("not found or not permitted");
    expect(
      (await getDocument(fx.store.db, await clinicStaff(), { id: "rb_contosocare_ehr_downtime", kind: "runbook" }))
        .steps!.length,
    ).toBe(5);
    expect((await searchKnowledge(fx.store.db, await otter(), { query: "offboarding" })).items).toEqual([]);
  });

  test("query syntax from the caller never reaches FTS MATCH", () => {
    expect(ftsQueryFor('title:"x" OR NEAR(a b) *')).toBe('"title" OR "near"');
    expect(ftsQueryFor("?? !!")).toBeNull();
  });
});

describe("forge save", () => {
  test("new version keeps history; same key replays; different payload conflicts", async () => {
    const scope = await tech();
    const base = {
      kind: "article" as const,
      documentId: "kb_patch_policy",
      title: "Patch policy and service levels",
      summary: "Updated SLA",
      body: "Critical within 48 hours.",
      tags: ["patching"],
      visibility: "client" as const,
      changeNote: "Tighter SLA",
      idempotencyKey: "save-1",
    };
    const first = await saveDocument(fx.store.db, scope, actor, base, NOW);
    expect(first.document.version).toBe(2);
    expect(first.replayed).toBe(false);
    const again = await saveDocument(fx.store.db, scope, actor, base, NOW + 5);
    expect(again.replayed).toBe(true);
    expect(again.document.version).toBe(2);
    await expect(saveDocument(fx.store.db, scope, actor, { ...base, body: "Different" }, NOW)).rejects.toThrow(
      "idempotency_key",
    );
    const v1 = await getDocument(fx.store.db, scope, { id: "kb_patch_policy", kind: "article", version: 1 });
    expect(v1.body).toContain("72 hours");
    const hits = await searchKnowledge(fx.store.db, scope, { query: "48 hours" });
    expect(hits.items[0]!.id).toBe("kb_patch_policy");
  });

  test("client staff cannot edit MSP-wide documents", async () => {
    await expect(
      saveDocument(
        fx.store.db,
        await clinicStaff(),
        actor,
        {
          kind: "article",
          documentId: "kb_authenticator_setup",
          title: "x",
          summary: "x",
          body: "x",
          tags: [],
          visibility: "client",
          changeNote: "x",
          idempotencyKey: "k2",
        },
        NOW,
      ),
    ).rejects.toThrow("not found or not permitted");
  });
});

describe("forge optimistic version check", () => {
  const readRow = async (id: string) =>
    (await fx.store.db.select().from(forgeDocuments).where(eq(forgeDocuments.id, id)))[0]!;

  test("a write based on a version someone else replaced is refused as concurrent_change and writes nothing", async () => {
    const scope = await tech();
    const read = await readRow("kb_authenticator_setup");
    // Another editor saves the next version after `read` was taken (same content, so search is unaffected).
    await saveDocument(
      fx.store.db,
      scope,
      actor,
      {
        kind: "article",
        documentId: read.id,
        title: read.title,
        summary: read.summary,
        body: read.body,
        tags: [],
        visibility: read.visibility,
        changeNote: "Reviewed, no change",
        idempotencyKey: "race-save-1",
      },
      NOW,
    );
    const err = await updateReadVersion(fx.store.db, scope, read, { title: "Stale write" }, "save again").catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ForgeError);
    expect((err as ForgeError).code).toBe("concurrent_change");
    expect((err as ForgeError).message).toBe(
      "article kb_authenticator_setup was changed by someone else meanwhile; read it again and save again",
    );
    const after = await readRow(read.id);
    expect(after.title).toBe(read.title);
    expect(after.version).toBe(read.version + 1);
  });

  test("the extra condition is part of the check: archiving a document archived meanwhile is refused", async () => {
    const scope = await tech();
    const read = await readRow("kb_patch_policy");
    // Archived by someone else without a new version, so only the extra condition can tell.
    await fx.store.db.update(forgeDocuments).set({ archivedAt: NOW }).where(eq(forgeDocuments.id, read.id));
    try {
      const err = await updateReadVersion(
        fx.store.db,
        scope,
        read,
        { archiveReason: "stale" },
        "archive the current version",
        isNull(forgeDocuments.archivedAt),
      ).catch((e: unknown) => e);
      expect((err as ForgeError).code).toBe("concurrent_change");
      expect((await readRow(read.id)).archiveReason).toBeNull();
    } finally {
      await fx.store.db.update(forgeDocuments).set({ archivedAt: null }).where(eq(forgeDocuments.id, read.id));
    }
  });
});

describe("forge classify", () => {
  test("ransomware is a P1 security incident", () => {
    const c = classifyRequest(
      "Front desk says all files on the shared drive are encrypted and there's a ransom note, nobody can work!",
    );
    expect(c.category).toBe("security_incident");
    expect(c.priority).toBe("P1");
  });
  test("a quote request is sales, capped at P3, suggests cavalier", () => {
    const c = classifyRequest("Can you send a quote for ContosoCare with one Operations Pro seat? No rush.");
    expect(c.category).toBe("sales_quote");
    expect(c.suggested_tool).toBe("cavalier_price_quote");
    expect(["P3", "P4"]).toContain(c.priority);
  });
  test("single-user password reset is low priority identity", () => {
    const c = classifyRequest("I forgot my password, can you reset it when you get a chance?");
    expect(c.category).toBe("access_identity");
    expect(c.priority).toBe("P4");
  });
  test("a leaver is offboarding", () => {
    expect(classifyRequest("Sarah's last day is Friday, please remove all access").category).toBe("offboarding");
  });
});
