import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { strToU8, zipSync } from "fflate";
import { MAX_TREE_ENTRIES, readZipTree, unsafeTreePath } from "../../../src/import/tree";
import { parseDocFile, parseDocFiles } from "../../../src/surfaces/forge/docs-import";

const TREE = join(import.meta.dir, "../../fixtures/import/docs-tree");
const file = (path: string) => ({ path, text: readFileSync(join(TREE, path), "utf8") });

describe("parseDocFile", () => {
  test("an article: front matter by the yaml library, tags normalised, visibility as written", () => {
    const d = parseDocFile(file("kb/printer-offline.md"));
    expect(d).toMatchObject({
      path: "kb/printer-offline.md",
      kind: "article",
      title: "Office printer shows offline after a Windows update",
      tags: "printing windows-update spooler",
      visibility: "client",
      tenantRef: null,
      steps: null,
    });
    if (Array.isArray(d)) return;
    expect(d.body).toStartWith("When the office printer shows **Offline**");
    // No summary in the front matter: the first paragraph, as plain text.
    expect(d.summary).toStartWith("When the office printer shows **Offline** right after Patch Tuesday, the print");
  });

  test("a runbook: its steps are the numbered list (a wrapped item is one step), visibility defaults to internal", () => {
    const d = parseDocFile(file("runbooks/new-starter-laptop.md"));
    if (Array.isArray(d)) throw new Error(JSON.stringify(d));
    expect(d.kind).toBe("runbook");
    expect(d.visibility).toBe("internal");
    expect(d.tenantRef).toBe("ContosoCare Clinic");
    expect(d.summary).toBe("Use when a new ContosoCare employee receives a laptop.");
    expect(d.steps).toEqual([
      {
        n: 1,
        text: "Enrol the laptop in Intune with Autopilot and wait for the compliance policy to report Compliant.",
      },
      { n: 2, text: "Confirm BitLocker is on and the recovery key is escrowed to Entra ID." },
      { n: 3, text: "Sign the starter in and register the Authenticator app for MFA." },
      { n: 4, text: "Hand over the laptop and record the asset tag in the PSA." },
    ]);
    expect(d.body.split("\n")[1]).toBe("2. Confirm BitLocker is on and the recovery key is escrowed to Entra ID.");
  });

  test("bad front matter: the YAML error with the file's line", () => {
    const problems = parseDocFile(file("drafts/vpn-notes.md"));
    expect(Array.isArray(problems)).toBe(true);
    expect(problems).toEqual([
      { path: "drafts/vpn-notes.md", line: 4, message: expect.stringMatching(/^front matter: /) },
    ]);
  });

  test("schema problems name the field and the line of its key", () => {
    const text = "---\ntitle: Notes\nkind: manual\ntags: [a]\n---\nBody\n";
    expect(parseDocFile({ path: "a.md", text })).toEqual([
      { path: "a.md", line: 3, field: "kind", message: expect.stringContaining('"article" or "runbook"') },
    ]);
    expect(parseDocFile({ path: "b.md", text: "---\ntitle: x\nkind: article\n---\nBody" })).toEqual([
      { path: "b.md", line: 1, field: "tags", message: expect.stringContaining("tags must be") },
    ]);
  });

  test("no front matter, unclosed front matter, a runbook without a numbered list, an empty article", () => {
    expect(parseDocFile({ path: "a.md", text: "# Just markdown" })).toEqual([
      { path: "a.md", line: 1, message: expect.stringContaining("expected YAML front matter") },
    ]);
    expect(parseDocFile({ path: "b.md", text: "---\ntitle: x\n" })).toEqual([
      { path: "b.md", line: 1, message: expect.stringContaining("not closed") },
    ]);
    const rb = "---\ntitle: R\nkind: runbook\ntags: []\n---\n- a bullet is not a step\n";
    expect(parseDocFile({ path: "c.md", text: rb })).toEqual([
      { path: "c.md", line: 6, field: "body", message: expect.stringContaining("numbered list") },
    ]);
    expect(parseDocFile({ path: "d.md", text: "---\ntitle: A\nkind: article\ntags: []\n---\n\n" })).toEqual([
      { path: "d.md", line: 6, field: "body", message: "an article needs a body after the front matter" },
    ]);
  });

  test("the fixture tree: two documents and the bad front matter's problem", () => {
    const r = parseDocFiles(
      ["kb/printer-offline.md", "runbooks/new-starter-laptop.md", "drafts/vpn-notes.md"].map(file),
    );
    expect(r.docs.map((d) => d.path)).toEqual(["kb/printer-offline.md", "runbooks/new-starter-laptop.md"]);
    expect(r.problems.map((p) => p.path)).toEqual(["drafts/vpn-notes.md"]);
  });
});

describe("readZipTree", () => {
  test("reads the files of a zip, skipping directories", () => {
    const zip = zipSync({ "kb/a.md": strToU8("---\n"), "kb/": new Uint8Array(0), "b.md": strToU8("x") });
    const r = readZipTree(zip, 1024);
    if ("problems" in r) throw new Error(JSON.stringify(r.problems));
    expect(r.files.map((f) => [f.path, f.bytes.byteLength]).sort()).toEqual([
      ["b.md", 1],
      ["kb/a.md", 4],
    ]);
  });

  test("refuses .. and absolute paths, too many entries, too many bytes, and a non-zip", () => {
    const slip = readZipTree(zipSync({ "../evil.md": strToU8("x"), "/etc/x.md": strToU8("y") }), 1024);
    expect(slip).toEqual({
      problems: [
        { path: "../evil.md", message: "refused: the path contains a . or .. segment" },
        { path: "/etc/x.md", message: "refused: the path is absolute" },
      ],
    });
    const many: Record<string, Uint8Array> = {};
    for (let i = 0; i <= MAX_TREE_ENTRIES; i++) many[`f${i}.md`] = strToU8("x");
    expect(readZipTree(zipSync(many), 1 << 20)).toEqual({
      problems: [
        { message: `the archive holds ${MAX_TREE_ENTRIES + 1} files; at most ${MAX_TREE_ENTRIES} are accepted` },
      ],
    });
    // 2 KiB of zeros compress to a few bytes; the declared size is what counts.
    expect(readZipTree(zipSync({ "big.md": new Uint8Array(2048) }), 1024)).toEqual({
      problems: [{ message: "the archive inflates to 2048 bytes; at most 1024 are accepted" }],
    });
    expect(readZipTree(strToU8("not a zip"), 1024)).toMatchObject({
      problems: [{ message: expect.stringMatching(/^not a readable zip archive/) }],
    });
  });

  test("unsafeTreePath", () => {
    expect(unsafeTreePath("kb/a.md")).toBeNull();
    expect(unsafeTreePath("kb\\a.md")).toContain("backslash");
    expect(unsafeTreePath("C:/a.md")).toBe("is absolute");
    expect(unsafeTreePath("kb/./a.md")).toContain("..");
  });
});
