import { expect, test } from "bun:test";
import { chainBadge } from "../../../src/admin/pages/audit";

test("the audit page's chain badge names each broken range by first and last seq", () => {
  const head = { seq: 40, hash: "f".repeat(64) };
  expect(chainBadge({ ok: true, rows: 40, breaks: [], head }).html).toContain("Chain intact · 40 rows verified");
  const broken = chainBadge({
    ok: false,
    rows: 40,
    breaks: [
      { firstSeq: 5, lastSeq: 7, reason: "hash_mismatch" },
      { firstSeq: 21, lastSeq: 21, reason: "link_mismatch" },
    ],
    head,
  }).html;
  expect(broken).toContain("Chain broken · 2 range(s): #5–#7 (hash_mismatch), #21 (link_mismatch)");
});
