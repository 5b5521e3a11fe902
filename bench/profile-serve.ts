/**
 * A real appliance (fresh data directory, demo seed) with a token from the real authorization flow, kept up for a
 * fixed time so that a load generator can drive it while `bun --cpu-prof-md` samples it:
 *
 *   npx bun --cpu-prof-md --cpu-prof-dir=/tmp/prof bench/profile-serve.ts [seconds=20] [out=/tmp/profile-target.env]
 *
 * Writes `URL=` and `TOKEN=` lines to `out` once it listens (for wrk with bench/post.lua), then exits after
 * `seconds` so the profile is written.
 */
import { writeFileSync } from "node:fs";
import { startTestAppliance } from "../test/helpers/appliance";
import { obtainTokens } from "../test/helpers/oauth";

const seconds = Number(process.argv[2] ?? 20);
const out = process.argv[3] ?? "/tmp/profile-target.env";
const app = await startTestAppliance();
const { access_token } = await obtainTokens(app, { email: "admin@harbor-it.example", surface: "cavalier" });
writeFileSync(out, `URL=${app.baseUrl}/cavalier\nTOKEN=${access_token}\n`);
await new Promise((r) => setTimeout(r, seconds * 1000));
await app.close();
process.exit(0);
