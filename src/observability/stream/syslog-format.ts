import type { StreamRecord } from "./records";

/**
 * RFC 5424 syslog messages framed with octet counting (RFC 6587 §3.4.1). Pure.
 *
 * - PRI: facility 13 "log audit" (RFC 5424 §6.2.1, table 1); severity 6 informational, 5 notice for refusals.
 * - SD-ID `audit@32473`: 32473 is the private enterprise number RFC 5612 reserves for documentation, as RFC 5424's
 *   own examples use; the SD-PARAMs carry what a SIEM filters on.
 * - MSG is the JSON record, preceded by the UTF-8 BOM as RFC 5424 §6.4 asks for UTF-8 text.
 */
const FACILITY_LOG_AUDIT = 13;
const APP_NAME = "cavaridge";
const SD_ID = "audit@32473";

export interface SyslogOrigin {
  /** HOSTNAME field: the appliance's public host name. */
  hostname: string;
  procId: string;
}

/** RFC 5424 §6.3.3: inside PARAM-VALUE, `"`, `\` and `]` must be escaped with a backslash. */
export function escapeParamValue(value: string): string {
  return value.replace(/["\\\]]/g, (c) => `\\${c}`);
}

/** RFC 5424 §6: header fields are PRINTUSASCII without spaces, each with a maximum length; `-` is the nil value. */
function headerField(value: string | null | undefined, max: number): string {
  const cleaned = (value ?? "").replace(/[^\x21-\x7e]/g, "").slice(0, max);
  return cleaned.length > 0 ? cleaned : "-";
}

function severityOf(record: StreamRecord): number {
  if (record.type === "checkpoint") return 6;
  return record.outcome === "ok" || record.outcome === "confirmed" ? 6 : 5;
}

export function syslogMessage(record: StreamRecord, origin: SyslogOrigin): string {
  const pri = FACILITY_LOG_AUDIT * 8 + severityOf(record);
  const msgId = record.type === "checkpoint" ? "checkpoint" : record.action;
  const params: [string, string | number | null][] =
    record.type === "checkpoint"
      ? [
          ["epoch", record.epoch],
          ["seq", record.seq],
          ["hash", record.hash],
        ]
      : [
          ["epoch", record.epoch],
          ["seq", record.seq],
          ["hash", record.hash],
          ["outcome", record.outcome],
          ["surface", record.surface],
          ["tool", record.tool],
          ["tenant", record.tenant],
          ["user", record.user],
        ];
  const sd = `[${SD_ID}${params
    .filter(([, v]) => v !== null)
    .map(([k, v]) => ` ${k}="${escapeParamValue(String(v))}"`)
    .join("")}]`;
  return [
    `<${pri}>1`,
    record.at,
    headerField(origin.hostname, 255),
    APP_NAME,
    headerField(origin.procId, 128),
    headerField(msgId, 32),
    sd,
    `\uFEFF${JSON.stringify(record)}`,
  ].join(" ");
}

/** RFC 6587 §3.4.1: MSG-LEN SP SYSLOG-MSG, where MSG-LEN counts octets, not characters. */
export function octetCountingFrame(message: string): string {
  return `${Buffer.byteLength(message, "utf8")} ${message}`;
}
