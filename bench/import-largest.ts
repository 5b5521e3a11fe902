/**
 * The write transaction of the largest allowed imports: a products CSV just under the kind's 5 MiB limit (about
 * 36,000 rows, every one a new product and price) and a contacts CSV likewise, imported through the real service
 * into a real libSQL file, then again with every row changed (all updates). Prints the total time (parse and plan
 * run outside the transaction) and the transaction's, which must stay well under the 5 s busy timeout other
 * processes wait with.
 *   npx bun bench/import-largest.ts
 */
import { largestContactsCsv, largestProductsCsv, measureImport } from "../test/helpers/import-bench";

const first = largestProductsCsv(0);
console.log(`file: ${first.byteLength} bytes`);
for (const round of [0, 1]) {
  const r = await measureImport(round === 0 ? first : largestProductsCsv(1));
  console.log(
    `${round === 0 ? "insert" : "update"}: ${r.records} rows, ${JSON.stringify(r.counts)}, total ${r.totalMs} ms, ` +
      `write transaction ${r.writeMs} ms`,
  );
}
const contacts = largestContactsCsv(0);
console.log(`contacts file: ${contacts.byteLength} bytes`);
for (const round of [0, 1]) {
  const r = await measureImport(round === 0 ? contacts : largestContactsCsv(1), "contacts");
  console.log(
    `${round === 0 ? "insert" : "update"}: ${r.records} rows, ${JSON.stringify(r.counts)}, write ${r.writeMs} ms`,
  );
}
process.exit(0);
