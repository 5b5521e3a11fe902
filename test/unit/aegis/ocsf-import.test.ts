import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { frameworkOf } from "../../../src/surfaces/aegis/findings-import";
import { parseOcsfFindings, statusFromOcsf } from "../../../src/surfaces/aegis/ocsf-import";

const fixture = (name: string) => readFileSync(join(import.meta.dir, "../../fixtures/import", name), "utf8");

describe("parseOcsfFindings", () => {
  test("maps the two-scanner JSON lines file (2003 and 2004 from Prowler and Wazuh)", () => {
    const r = parseOcsfFindings(fixture("findings-ocsf-two-scanners.jsonl"));
    if (!r.ok) throw new Error(JSON.stringify(r.problems));
    expect(r.records).toBe(5);
    const [mfa, custom, pass, ransomware, ssh] = r.findings;
    expect(mfa).toMatchObject({
      line: 1,
      classUid: 2003,
      source: "Prowler",
      uid: "prowler-ss-adminmfa",
      title: "Administrators sign in without MFA",
      severityId: 4,
      statusId: 1,
      complianceStatusId: 3,
      control: { standard: "Microsoft Secure Score", ref: "AdminMFAV2" },
      tenantRef: "Otter Client Co",
      time: Date.parse("2026-11-20T08:00:00Z"),
      remediation: "Require phishing-resistant MFA for all directory roles with Conditional Access.",
    });
    expect(mfa!.resources).toEqual([
      { ref: "admin@otter-client.example", name: "Otter Admin", kind: "user" },
      { ref: "it@otter-client.example", name: "Otter IT", kind: "user" },
    ]);
    expect(custom!.control).toEqual({ standard: "Otter Baseline 2026", ref: "9.9.9" });
    expect(pass).toMatchObject({ uid: "shared-001", statusId: 4, complianceStatusId: 1 });
    expect(ransomware).toMatchObject({ uid: "shared-001", source: "Wazuh", classUid: 2004, control: null });
    // time_dt stands in when time is absent.
    expect(ssh!.time).toBe(Date.parse("2026-11-20T09:30:00Z"));
  });

  test("a JSON array: records addressed by pointer", () => {
    const r = parseOcsfFindings(fixture("findings-ocsf-wazuh-rescan.json"));
    if (!r.ok) throw new Error(JSON.stringify(r.problems));
    expect(r.findings.map((f) => [f.pointer, f.line, f.uid])).toEqual([["/0", undefined, "wazuh-5710"]]);
  });

  test("every problem of the bad file, with its line and JSON pointer", () => {
    const r = parseOcsfFindings(fixture("findings-ocsf-bad.jsonl"));
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.records).toBe(5);
    const where = r.problems.map((p) => [p.line, p.pointer]);
    expect(where).toEqual([
      [2, "/class_uid"],
      [3, "/severity_id"],
      [4, "/finding_info/uid"],
      [5, undefined],
    ]);
    expect(r.problems[0]!.message).toContain("2002, 2003, 2004");
    expect(r.problems[1]!.message).toContain("0, 1, 2, 3, 4, 5, 6, 99");
    expect(r.problems[3]!.message).toStartWith("not valid JSON");
  });

  test("a pointer into an array element, a compliance finding without a control, a duplicate", () => {
    const base = {
      class_uid: 2004,
      severity_id: 2,
      time: 1,
      metadata: { version: "1.3.0", product: { name: "X" } },
      finding_info: { uid: "a", title: "t" },
    };
    const r = parseOcsfFindings(
      JSON.stringify([
        base,
        { ...base, class_uid: 2003 },
        { ...base, status_id: 42 },
        { ...base, metadata: { version: "2.0.0", product: { name: "X" } } },
      ]),
    );
    if (r.ok) throw new Error("expected problems");
    expect(r.problems.map((p) => p.pointer)).toEqual(["/1/compliance/control", "/2/status_id", "/3/metadata/version"]);
    const dup = parseOcsfFindings(`${JSON.stringify(base)}\n\n${JSON.stringify(base)}\n`);
    if (dup.ok) throw new Error("expected a duplicate");
    expect(dup.problems).toEqual([
      { line: 3, pointer: "/finding_info/uid", message: expect.stringContaining("appears twice (first on line 1)") },
    ]);
  });

  test("an empty file and a non-array document", () => {
    expect(parseOcsfFindings("\n\n")).toMatchObject({
      ok: false,
      problems: [{ message: "the file holds no OCSF events" }],
    });
    expect(parseOcsfFindings("[1")).toMatchObject({ ok: false, problems: [{ pointer: "" }] });
  });
});

describe("OCSF enums to aegis", () => {
  test("status_id: Unknown/Other open, Archived/Deleted resolved", () => {
    expect([0, 1, 2, 3, 4, 5, 6, 99].map(statusFromOcsf)).toEqual([1, 1, 2, 3, 4, 4, 4, 1]);
  });
  test("compliance.standards names a catalogue framework by id or name, any case; others kept as written", () => {
    expect(frameworkOf("CIS Microsoft 365 Foundations Benchmark v5")).toBe("cis_m365_v5");
    expect(frameworkOf("microsoft secure score")).toBe("ms_secure_score");
    expect(frameworkOf("cis_v8")).toBe("cis_v8");
    expect(frameworkOf(" Otter Baseline 2026 ")).toBe("Otter Baseline 2026");
  });
});
