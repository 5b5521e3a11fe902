/**
 * `docs` imports end to end: a directory through a real CLI process, a zip through the admin JSON API, read back with
 * forge_search_knowledge and forge_get_runbook over the real MCP client. The fixture tree holds an article, a runbook
 * and a file with bad front matter; a copy without the bad file imports, a changed body makes a new version, a
 * removed file is reported and kept.
 */
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { cpSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { strToU8, zipSync } from "fflate";
import { startTestAppliance, type TestAppliance, tempDir } from "../../helpers/appliance";
import { type CliRun, importCliFor } from "../../helpers/cli-process";
import { obtainTokens } from "../../helpers/oauth";
import { call, connectSurface, ok } from "../../helpers/tool-calls";
import { bearer, signInAdmin } from "../admin/admin-session";

setDefaultTimeout(60_000);

const TREE = join(import.meta.dir, "../../fixtures/import/docs-tree");
let app: TestAppliance;
let forge: Client;
let work: string;

let cli: (args: string[]) => Promise<CliRun>;

async function forgeDump(): Promise<string> {
  const docs = await app.ctx.store.client.execute("SELECT * FROM forge_documents ORDER BY seq");
  const versions = await app.ctx.store.client.execute("SELECT * FROM forge_document_versions ORDER BY rowid");
  return JSON.stringify([docs.rows, versions.rows]);
}

type Hit = { id: string; title: string; kind: string; tenant_id: string; version: number };
const search = async (query: string) =>
  ok<{ items: Hit[] }>(await call(forge, "forge_search_knowledge", { query })).items;

beforeAll(async () => {
  app = await startTestAppliance();
  cli = importCliFor(app);
  const tokens = await obtainTokens(app, { email: "admin@harbor-it.example", surface: "forge" });
  forge = await connectSurface(app, "forge", tokens.access_token);
  work = tempDir("cavaridge-docs-");
  cpSync(TREE, join(work, "docs"), { recursive: true });
});
afterAll(async () => {
  await forge?.close();
  await app?.close();
  rmSync(work, { recursive: true, force: true });
});

describe("cavaridge import docs DIR", () => {
  test("the tree with bad front matter: nothing written, the file and line named", async () => {
    const before = await forgeDump();
    const run = await cli(["docs", join(work, "docs"), "--tenant", "harbor-it"]);
    expect(run.code).toBe(1);
    expect(run.err).toContain("docs: 3 records");
    expect(run.err).toContain("drafts/vpn-notes.md, line 4: front matter:");
    expect(await forgeDump()).toBe(before);
  });

  test("without it: an MSP-wide article and a ContosoCare runbook, searchable at once", async () => {
    rmSync(join(work, "docs/drafts"), { recursive: true });
    const run = await cli(["docs", join(work, "docs"), "--tenant", "Harbor IT Services"]);
    expect(run.err).toBe("");
    expect(run.code).toBe(0);
    expect(run.out).toContain("2 inserted, 0 updated, 0 unchanged");
    const [article] = await search("printer offline spooler");
    expect(article).toMatchObject({
      kind: "article",
      tenant_id: "harbor-it",
      title: "Office printer shows offline after a Windows update",
      version: 1,
    });
    const [runbook] = await search("new starter laptop autopilot");
    expect(runbook).toMatchObject({ kind: "runbook", tenant_id: "contosocare", title: "New starter laptop handover" });
    const rb = ok<{ steps: { n: number; text: string }[]; visibility: string }>(
      await call(forge, "forge_get_runbook", { runbook_id: runbook!.id }),
    );
    expect(rb.visibility).toBe("internal");
    expect(rb.steps.map((s) => s.n)).toEqual([1, 2, 3, 4]);
    expect(rb.steps[1]!.text).toBe("Confirm BitLocker is on and the recovery key is escrowed to Entra ID.");
  });

  test("the same tree again changes nothing", async () => {
    const before = await forgeDump();
    const run = await cli(["docs", join(work, "docs"), "--tenant", "harbor-it"]);
    expect(run.code).toBe(0);
    expect(run.out).toContain("nothing changed: all 2 already as in the file");
    expect(await forgeDump()).toBe(before);
  });

  test("a changed body is a new version; a removed file is reported and kept", async () => {
    const path = join(work, "docs/kb/printer-offline.md");
    writeFileSync(
      path,
      `${readFileSync(path, "utf8")}\nIf several printers fail at once, check the print server's spooler.\n`,
    );
    rmSync(join(work, "docs/runbooks"), { recursive: true });
    const run = await cli(["docs", join(work, "docs"), "--tenant", "harbor-it"]);
    expect(run.code).toBe(0);
    expect(run.out).toContain("0 inserted, 1 updated, 0 unchanged");
    expect(run.out).toContain("vanished: runbooks/new-starter-laptop.md (runbook ");
    const [article] = await search("print server spooler");
    expect(article).toMatchObject({ title: "Office printer shows offline after a Windows update", version: 2 });
    expect((await search("new starter laptop autopilot"))[0]!.title).toBe("New starter laptop handover");
  });
});

describe("POST /api/import/docs (zip)", () => {
  test("a zip imports into the admin's MSP; a .. path is refused and nothing is written", async () => {
    const harbor = await signInAdmin(app, "admin@harbor-it.example");
    const token = await harbor.createApiToken("docs-import");
    const doc =
      "---\ntitle: Rotate the Wi-Fi PSK\nkind: runbook\ntags: [wifi]\n---\n1. Generate a new passphrase.\n2. Update the controller.\n";
    const before = await forgeDump();
    const slip = await fetch(`${app.adminUrl}/api/import/docs`, {
      method: "POST",
      ...bearer(token),
      body: zipSync({ "../wifi.md": strToU8(doc) }),
    });
    expect(slip.status).toBe(422);
    expect(((await slip.json()) as { problems: unknown[] }).problems).toMatchObject([
      { path: "../wifi.md", message: "refused: the path contains a . or .. segment" },
    ]);
    expect(await forgeDump()).toBe(before);
    const res = await fetch(`${app.adminUrl}/api/import/docs`, {
      method: "POST",
      ...bearer(token),
      body: zipSync({ "network/wifi.md": strToU8(doc) }),
    });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { counts: unknown }).counts).toEqual({ inserted: 1, updated: 0, unchanged: 0 });
    expect((await search("rotate wifi passphrase"))[0]).toMatchObject({ kind: "runbook", tenant_id: "harbor-it" });
  });
});
