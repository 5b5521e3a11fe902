import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import { safeNext } from "../../../src/admin/console";

/**
 * Regression: `/sign-in?next=/.//evil.example` followed by a successful sign-in answered `303 Location: //evil.example`
 * (the normalised path is a network-path reference to another host). Every variant below must either stay a path on
 * the admin origin or fall back to the home page.
 */

const ORIGIN = "http://127.0.0.1:8788";
const HOME = "/connections";

/** What a browser does with the Location header: resolve it against the page that answered. */
function landsOn(location: string): URL {
  return new URL(location, `${ORIGIN}/sign-in`);
}

const REFUSED: string[] = [
  "//evil.example",
  "//evil.example/x",
  "///evil.example",
  "/\\evil.example",
  "\\\\evil.example",
  "/\\/evil.example",
  "..//",
  "/./..//evil.example",
  "/.//evil.example",
  "/.//evil.example/x?y=1",
  "/./\\evil.example",
  "/x/..//evil.example",
  "/%2e//evil.example",
  "/%2E/%2Fevil.example",
  "/%2f%2fevil.example",
  "/%2F%2Fevil.example",
  "/%5cevil.example",
  "/%5C%5Cevil.example",
  "/%09/evil.example",
  "/%0a/evil.example",
  "/\t/evil.example",
  "/\n/evil.example",
  "/\r\n/evil.example",
  "\t//evil.example",
  " //evil.example",
  "https://evil.example/x",
  "http://127.0.0.1:8788.evil.example/",
  "http://127.0.0.1:8789/connections",
  "https://127.0.0.1:8788/connections",
  "http://evil.example@127.0.0.1:8788/x",
  "HTTP://evil.example",
  "javascript:alert(1)",
  "JaVaScRiPt:alert(1)",
  "java\tscript:alert(1)",
  "data:text/html,<script>alert(1)</script>",
  "/%",
  "",
];

const KEPT: [next: string, location: string][] = [
  ["/audit?surface=cavalier", "/audit?surface=cavalier"],
  ["/connections", "/connections"],
  ["/audit?range=7d#top", "/audit?range=7d#top"],
  ["/audit?q=a%20b", "/audit?q=a%20b"],
  ["/./audit", "/audit"],
  ["/./", "/"],
  // Same scheme as the base: WHATWG reads it as a relative path, and so does the browser.
  ["http:evil.example", "/evil.example"],
  ["/x/../tokens", "/tokens"],
  ["http://127.0.0.1:8788/servers", "/servers"],
];

describe("safeNext: only a same-origin path is followed after sign-in", () => {
  for (const next of REFUSED) {
    test(`refuses ${JSON.stringify(next)}`, () => {
      expect(safeNext(next, ORIGIN)).toBe(HOME);
    });
  }
  for (const [next, location] of KEPT) {
    test(`keeps ${JSON.stringify(next)} as ${location}`, () => {
      expect(safeNext(next, ORIGIN)).toBe(location);
    });
  }

  test("property: whatever next is, the browser lands on the admin origin and the Location is a plain path", () => {
    const pieces = fc.constantFrom(
      "/",
      "\\",
      ".",
      "..",
      "%2f",
      "%5c",
      "%2e",
      "\t",
      "\n",
      "evil.example",
      "@",
      ":",
      "?",
      "#",
      "//",
      "javascript:",
      "http:",
      "%09",
      " ",
    );
    const hostile = fc.array(pieces, { maxLength: 8 }).map((p) => p.join(""));
    fc.assert(
      fc.property(fc.oneof(hostile, fc.string({ maxLength: 40 }), fc.webUrl()), (next) => {
        const location = safeNext(next, ORIGIN);
        const url = landsOn(location);
        expect(url.origin).toBe(ORIGIN);
        expect(location.startsWith("/")).toBe(true);
        expect(location.startsWith("//")).toBe(false);
        expect(location.startsWith("/\\")).toBe(false);
        // Resolving the Location again gives the same place: nothing left for a second parse to reinterpret.
        expect(landsOn(url.pathname + url.search + url.hash).href).toBe(url.href);
      }),
      { seed: 20261128, numRuns: 2000 },
    );
  });
});
