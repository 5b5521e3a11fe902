import { describeChainBreaks } from "../audit/log";
import { OpsError, backupDatabase } from "../ops/backup";
import { restoreDatabase } from "../ops/restore";
import { systemClock } from "../shared/clock";
import { createLogger } from "../shared/log";
import { loadConfigOrReport, parseFlags, resolveConfigPath, UsageError, type Command, type CommandIo } from "./args";

/** Exit codes: 1 failed, 2 the database is a libSQL server (backups are the server's job), 3 no database yet. */
function reportOpsError(err: unknown, io: CommandIo, command: string): number {
  if (!(err instanceof OpsError)) throw err;
  io.err(`${command}: ${err.message}`);
  return err.code === "server_database" ? 2 : err.code === "no_database" ? 3 : 1;
}

export const backupCommand: Command = {
  summary: "copy the database online (VACUUM INTO), verify the copy's audit chain, print its row counts",
  usage:
    "cavaridge backup --out FILE [--config PATH]   (exit 2: libSQL server database, back it up there; exit 3: no database yet)",
  async run(argv, io) {
    const { values } = parseFlags(argv, { config: { type: "string" }, out: { type: "string" } });
    if (values.help) return (io.out(this.usage), 0);
    const v = values as Record<string, string | undefined>;
    if (!v.out) throw new UsageError("--out FILE is required");
    const config = loadConfigOrReport(resolveConfigPath(v.config, io.env), io);
    if (!config) return 1;
    try {
      const result = await backupDatabase(config, io.env, v.out);
      io.out(`backup written: ${result.path}`);
      for (const [table, n] of Object.entries(result.counts)) io.out(`  ${table}: ${n}`);
      if (!result.auditOk) {
        io.err(`backup: the copy's audit chain does NOT verify (${result.auditRows} rows walked):`);
        for (const line of describeChainBreaks(result.auditBreaks)) io.err(`  ${line}`);
        return 1;
      }
      io.out(`audit chain ok: ${result.auditRows} rows`);
      return 0;
    } catch (err) {
      return reportOpsError(err, io, "backup");
    }
  },
};

export const restoreCommand: Command = {
  summary: "put a backup in place of the (stopped) database; revokes every grant, records system.restore",
  usage: "cavaridge restore FILE [--config PATH]",
  async run(argv, io) {
    const { values, positionals } = parseFlags(argv, { config: { type: "string" } });
    if (values.help) return (io.out(this.usage), 0);
    if (positionals.length !== 1) throw new UsageError("name exactly one backup FILE");
    const config = loadConfigOrReport(resolveConfigPath((values as { config?: string }).config, io.env), io);
    if (!config) return 1;
    try {
      const r = await restoreDatabase(config, io.env, positionals[0]!, {
        clock: systemClock,
        log: createLogger("warn", {}, io.err),
      });
      io.out(`restored ${positionals[0]} to ${r.database}`);
      if (r.previous) io.out(`the replaced database was moved to ${r.previous}`);
      io.out(
        `revoked ${r.revokedGrants} grant(s) and ${r.retiredRefreshTokens} refresh token(s): every client signs in again`,
      );
      const head = r.replacedHead ? `seq ${r.replacedHead.seq} ${r.replacedHead.hash}` : "none";
      io.out(`audit chain ok: ${r.auditRows} rows; system.restore recorded (replaced chain head ${head})`);
      return 0;
    } catch (err) {
      return reportOpsError(err, io, "restore");
    }
  },
};
