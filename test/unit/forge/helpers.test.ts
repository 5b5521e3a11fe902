import { describe, expect, test } from "bun:test";
import { classifyRequest } from "../../../src/surfaces/forge/classify";
import { documentRelevance, RELATED_MIN_RELEVANCE, relatedDocuments } from "../../../src/surfaces/forge/related";
import type { IncidentType } from "../../../src/surfaces/forge/triage-incidents";
import type { Priority, RequestCategory } from "../../../src/surfaces/forge/triage-rules";
import { limitWords, plainWords } from "../../../src/surfaces/forge/compose";
import { buildQbrOutline } from "../../../src/surfaces/forge/qbr";
import { FactSheet, greetingName, samePerson } from "../../../src/surfaces/forge/facts";
import { ftsQueryFor } from "../../../src/surfaces/forge/search";
import { sharedContentTenantIds, TenantScope, type TenantRecord } from "../../../src/tenancy/scope";

describe("classifyRequest (ITIL impact x urgency)", () => {
  const cases: [string, Priority, RequestCategory][] = [
    ["All three clinics: nobody can sign in to the EHR, patients waiting", "P1", "access_identity"],
    ["I think I clicked a phishing link and entered my password", "P2", "security_incident"],
    ["There's a weird inbox rule forwarding my email to gmail", "P2", "security_incident"],
    ["The front desk printer is out of toner", "P4", "hardware"],
    ["New starter on Monday, please set up a new user account for Jo", "P4", "onboarding"],
    ["Our whole office wifi is down, we can't work", "P1", "network"],
    ["How much would it cost to add 5 Operations Pro seats?", "P4", "sales_quote"],
    ["We were overcharged on last month's invoice", "P4", "billing"],
    ["Can you restore a deleted folder from OneDrive today?", "P4", "backup_restore"],
    ["The finance team cannot work, the accounting app keeps crashing", "P2", "software"],
    ["Dr Park's laptop was stolen from her car last night, it has patient files on it", "P2", "security_incident"],
    ["The auditor wants our CIS compliance evidence", "P4", "security_posture"],
  ];
  for (const [text, priority, category] of cases) {
    test(`${category} ${priority}: ${text}`, () => {
      const c = classifyRequest(text);
      expect(c.category).toBe(category);
      expect(c.priority).toBe(priority);
      expect(c.explanation).toContain(priority);
    });
  }
  test("no signal at all is a general P4 with low confidence", () => {
    const c = classifyRequest("hello there");
    expect(c).toMatchObject({ category: "general", priority: "P4", confidence: 0.2 });
  });
  test("deterministic", () => {
    expect(classifyRequest("VPN keeps dropping for the finance team")).toEqual(
      classifyRequest("VPN keeps dropping for the finance team"),
    );
  });
});

describe("security incidents: every kind is security_incident, P1 or P2, with aegis tools", () => {
  const cases: [IncidentType, string][] = [
    ["payment_fraud", "Please pay this invoice to our new bank account, our old one is closed"],
    ["gift_card_fraud", "The boss texted asking me to buy gift cards and send him the codes"],
    ["ceo_impersonation", "Email from our CEO's personal gmail asking me to urgently wire $9,800 today"],
    ["credential_phishing", "I opened the shared document link and typed my password into the page"],
    ["account_compromise", "I'm getting MFA prompts I didn't start, again and again"],
    ["account_compromise", "Impossible travel alert on the finance account"],
    ["ransomware", "Every file on the server was renamed to .akira and a ransom note appeared"],
    ["lost_device", "My work laptop was stolen from the train"],
    ["misdirected_data", "I emailed the payroll file to the wrong person outside the company"],
  ];
  for (const [kind, text] of cases) {
    test(`${kind}: ${text}`, () => {
      const c = classifyRequest(text);
      expect(c.category).toBe("security_incident");
      expect(c.incident_type).toBe(kind);
      expect(["P1", "P2"]).toContain(c.priority);
      expect(c.suggested_tools.length).toBeGreaterThan(0);
      expect(c.suggested_tools.every((t) => t.startsWith("aegis_"))).toBe(true);
    });
  }
  test("ransomware is always P1, even for one machine", () => {
    expect(classifyRequest("One PC shows a ransom note").priority).toBe("P1");
  });
  const negatives: [string, RequestCategory][] = [
    ["Who covers the bank holiday rota this year?", "general"],
    ["Can you send us your new bank details so we can pay your invoice by transfer?", "billing"],
    ["Please run a phishing simulation for the office next quarter", "security_posture"],
    ["The gift card machine at reception is printing blank receipts", "hardware"],
  ];
  for (const [text, category] of negatives) {
    test(`not an incident: ${text}`, () => {
      const c = classifyRequest(text);
      expect(c.category).toBe(category);
      expect(c.incident_type).toBeNull();
    });
  }
});

describe("related documents: relevance threshold on title and tags", () => {
  const docs = [
    { id: "rb_bitlocker", kind: "runbook", title: "Enable BitLocker with Intune", tags: ["bitlocker", "encryption"] },
    { id: "rb_leaver", kind: "runbook", title: "User offboarding", tags: ["offboarding", "leaver"] },
    { id: "kb_mfa", kind: "article", title: "Authenticator setup", tags: ["mfa", "end-user"] },
  ];
  test("relevance is the share of topics in the title or tags (tags also split on hyphens)", () => {
    expect(documentRelevance(docs[1]!, ["offboarding", "leaver"])).toBe(1);
    expect(documentRelevance(docs[2]!, ["user", "mfa", "printer"])).toBe(0.67);
    expect(documentRelevance(docs[0]!, ["printer", "hardware"])).toBe(0);
    expect(documentRelevance(docs[0]!, [])).toBe(0);
  });
  test(`documents below ${RELATED_MIN_RELEVANCE} are never shown; the rest by relevance, then search order`, () => {
    expect(relatedDocuments(docs, ["printer", "hardware"])).toEqual([]);
    expect(relatedDocuments(docs, ["offboarding", "intune"]).map((d) => [d.id, d.relevance])).toEqual([
      ["rb_bitlocker", 0.5],
      ["rb_leaver", 0.5],
    ]);
    expect(relatedDocuments(docs, ["bitlocker", "encryption", "leaver"]).map((d) => d.id)).toEqual(["rb_bitlocker"]);
  });
});

describe("FTS query building", () => {
  test("words only, stopwords dropped, quoted and OR-ed", () => {
    expect(ftsQueryFor("How do I block Legacy-Auth?")).toBe('"block" OR "legacy" OR "auth"');
    expect(ftsQueryFor('"); DROP TABLE x; --')).toBe('"drop" OR "table"');
  });
});

describe("compose helpers", () => {
  test("plain words for executives, word limits", () => {
    expect(plainWords("Enforce MFA with Conditional Access")).toBe("Enforce two-step sign-in with sign-in rules");
    expect(limitWords("one two three four", 2)).toBe("one two…");
    expect(limitWords("one two", 5)).toBe("one two");
  });
  test("QBR outline without posture or PSA data: no placeholder text, the gaps are listed as missing", () => {
    const sheet = new FactSheet();
    const o = buildQbrOutline(
      {
        tenant_id: "t",
        tenant_name: "T Ltd",
        from: 0,
        to: 86_400_000,
        posture: null,
        trend: null,
        findings_opened: 0,
        findings_resolved: 0,
        resolution_days: [],
        open_deals: [],
      },
      sheet,
    );
    expect(o.sections.map((s) => s.heading)).toEqual(["1. Findings handled"]);
    expect(JSON.stringify(o)).not.toMatch(/\[[A-Z ]+\]|PSA|placeholder/);
    expect(sheet.missing.map((m) => m.field)).toEqual([
      "secure_score_trend",
      "improvement_actions",
      "open_deals",
      "ticket_volumes",
      "satisfaction",
      "staff_changes",
    ]);
    expect(sheet.facts).toContainEqual({ source_id: "t", field: "findings_opened_in_period", value: 0 });
  });
});

describe("greeting rule", () => {
  test("an honorific greets by honorific and surname, otherwise by first name; never a bare title", () => {
    expect(greetingName("Dr. Maya Chen")).toBe("Dr. Chen");
    expect(greetingName("Dr Maya Chen")).toBe("Dr. Chen");
    expect(greetingName("Prof. Ada Lovelace-King")).toBe("Prof. Lovelace-King");
    expect(greetingName("Rachel Kim")).toBe("Rachel");
    expect(greetingName("Dr.")).toBe("Dr.");
    expect(greetingName("Cher")).toBe("Cher");
    expect(greetingName("Dr. Chen")).toBe("Dr. Chen");
  });
  test("contact names match without honorific or case", () => {
    expect(samePerson("Dr. Maya Chen", "maya chen")).toBe(true);
    expect(samePerson("Maya Chen", "Rachel Kim")).toBe(false);
  });
});

describe("sharedContentTenantIds", () => {
  const tenants: TenantRecord[] = [
    { id: "harbor-it", kind: "msp", parentId: null, disabled: false },
    { id: "contosocare", kind: "client", parentId: "harbor-it", disabled: false },
    { id: "otter-msp", kind: "msp", parentId: null, disabled: false },
    { id: "otter-client", kind: "client", parentId: "otter-msp", disabled: true },
  ];
  const scope = (tenantIds: string[]) =>
    new TenantScope({ userId: "u", role: "technician", tenantId: tenantIds[0]! }, tenantIds);
  test("a client scope may read its parent MSP's shared content; an MSP scope needs nothing extra", () => {
    expect(sharedContentTenantIds(scope(["contosocare"]), tenants)).toEqual(["harbor-it"]);
    expect(sharedContentTenantIds(scope(["harbor-it", "contosocare"]), tenants)).toEqual([]);
  });
  test("never another MSP, never a disabled parent", () => {
    expect(sharedContentTenantIds(scope(["contosocare"]), tenants)).not.toContain("otter-msp");
    const parentDisabled: TenantRecord[] = [
      { id: "otter-msp", kind: "msp", parentId: null, disabled: true },
      { id: "otter-client", kind: "client", parentId: "otter-msp", disabled: false },
    ];
    expect(sharedContentTenantIds(scope(["otter-client"]), parentDisabled)).toEqual([]);
  });
});
