import { type } from "arktype";
import { identifier, storableText } from "../../shared/string-types";
import { CLASS_UIDS, STATUS } from "./ocsf";
import { onFirstUse } from "../../shared/on-first-use";

/**
 * OCSF 1.x Finding events as other tools export them (https://schema.ocsf.io/1.3.0/classes/vulnerability_finding,
 * compliance_finding, detection_finding): JSON lines (one event per line) or one JSON array of events. Pure: text
 * in, findings or every problem out, each problem with the line (JSON lines) and the RFC 6901 JSON pointer of the
 * offending attribute. Attributes aegis does not store are ignored; enum values outside OCSF are errors.
 */

export interface OcsfProblem {
  line?: number;
  pointer?: string;
  message: string;
}

export interface OcsfResource {
  /** resources[].uid, else its name: what the resource is matched on. */
  ref: string;
  name: string;
  /** resources[].type, lowercased (e.g. "user", "device"); "resource" when absent. */
  kind: string;
}

export interface OcsfFinding {
  /** 1-based line of the record in a JSON lines file; undefined inside a JSON array. */
  line?: number;
  /** JSON pointer of the record: "" for a JSON lines record, "/3" for the fourth element of an array. */
  pointer: string;
  classUid: number;
  /** metadata.product.name */
  source: string;
  /** finding_info.uid */
  uid: string;
  title: string;
  description: string;
  types: string[];
  severityId: number;
  /** The aegis status (1..4) the OCSF status_id maps to. */
  statusId: number;
  complianceStatusId: number | null;
  /** compliance.standards[0] and compliance.control, when the finding names a control. */
  control: { standard: string; ref: string } | null;
  remediation: string;
  riskScore: number;
  resources: OcsfResource[];
  /** `time` (or `time_dt`), epoch ms: the instant the scanner saw it. */
  time: number;
  /** metadata.tenant_uid as written (an id or a name); null when absent. */
  tenantRef: string | null;
}

const Text = (max: number) => storableText(max);
const Enum = (values: readonly number[]) =>
  type("number.integer").narrow((v, ctx) => values.includes(v) || ctx.mustBe(`one of ${values.join(", ")}`));

/** OCSF severity_id: 0 Unknown .. 6 Fatal, 99 Other. */
const SEVERITY_IDS = [0, 1, 2, 3, 4, 5, 6, 99] as const;
/** Finding status_id (1.3): 0 Unknown, 1 New, 2 In Progress, 3 Suppressed, 4 Resolved, 5 Archived, 6 Deleted, 99 Other. */
const STATUS_IDS = [0, 1, 2, 3, 4, 5, 6, 99] as const;
/** compliance.status_id: 0 Unknown, 1 Pass, 2 Warning, 3 Fail, 99 Other. */
const COMPLIANCE_IDS = [0, 1, 2, 3, 99] as const;

const OcsfEvent = onFirstUse(() =>
  type({
    class_uid: Enum([CLASS_UIDS.vulnerability, CLASS_UIDS.compliance, CLASS_UIDS.detection]),
    "category_uid?": Enum([2]),
    severity_id: Enum(SEVERITY_IDS),
    "status_id?": Enum(STATUS_IDS),
    "time?": "number.integer >= 0",
    "time_dt?": "string",
    "risk_score?": "number.integer >= 0",
    metadata: {
      version: type("string").narrow((v, ctx) => /^1\.\d+/.test(v) || ctx.mustBe("an OCSF 1.x version such as 1.3.0")),
      product: { name: identifier(100) },
      "tenant_uid?": identifier(128),
    },
    finding_info: {
      uid: identifier(256),
      title: Text(500),
      "desc?": Text(20_000),
      "types?": Text(200).array(),
    },
    "compliance?": {
      "standards?": Text(200).array(),
      "control?": identifier(200),
      "status_id?": Enum(COMPLIANCE_IDS),
    },
    "remediation?": { "desc?": Text(20_000) },
    "resources?": type({ "uid?": identifier(512), "name?": Text(500), "type?": identifier(100) }).array(),
  }),
);

/**
 * OCSF status_id to the aegis workflow state: Unknown and Other are treated as New (the scanner reports it, so it
 * is open); Archived and Deleted mean the scanner no longer tracks it, which reads as Resolved.
 */
export function statusFromOcsf(id: number): number {
  if (id === 2) return STATUS.IN_PROGRESS;
  if (id === 3) return STATUS.SUPPRESSED;
  if (id === 4 || id === 5 || id === 6) return STATUS.RESOLVED;
  return STATUS.NEW;
}

function pointerOf(base: string, path: readonly PropertyKey[]): string {
  return base + path.map((k) => `/${String(k).replace(/~/g, "~0").replace(/\//g, "~1")}`).join("");
}

/** One decoded event into a finding, or its problems (each with a pointer under `base`). */
function mapEvent(raw: unknown, base: string, line: number | undefined): OcsfFinding | OcsfProblem[] {
  const at = (path: readonly PropertyKey[], message: string): OcsfProblem => ({
    ...(line !== undefined ? { line } : {}),
    pointer: pointerOf(base, path),
    message,
  });
  if (raw === null || typeof raw !== "object" || Array.isArray(raw))
    return [at([], "expected an OCSF event (a JSON object)")];
  const e = OcsfEvent()(raw);
  if (e instanceof type.errors) return e.map((err) => at(err.path, err.message));
  const problems: OcsfProblem[] = [];
  let time = e.time;
  if (time === undefined && e.time_dt !== undefined) {
    const parsed = Date.parse(e.time_dt);
    if (Number.isNaN(parsed)) problems.push(at(["time_dt"], "time_dt must be an RFC 3339 date-time"));
    else time = parsed;
  }
  if (time === undefined && problems.length === 0)
    problems.push(at(["time"], "time (epoch milliseconds) or time_dt is required: when the scanner saw it"));
  const standard = e.compliance?.standards?.[0]?.trim();
  const controlRef = e.compliance?.control?.trim();
  if (controlRef && !standard)
    problems.push(
      at(["compliance", "standards"], "compliance.control needs compliance.standards to name its framework"),
    );
  if (e.class_uid === CLASS_UIDS.compliance && !controlRef)
    problems.push(at(["compliance", "control"], "a Compliance Finding (2003) must name the control it checks"));
  for (const [i, r] of (e.resources ?? []).entries())
    if (!r.uid && !r.name) problems.push(at(["resources", i], "a resource needs a uid or a name"));
  if (problems.length > 0 || time === undefined) return problems;
  const complianceStatus = e.compliance?.status_id;
  return {
    ...(line !== undefined ? { line } : {}),
    pointer: base,
    classUid: e.class_uid,
    source: e.metadata.product.name.trim(),
    uid: e.finding_info.uid,
    title: e.finding_info.title.trim(),
    description: e.finding_info.desc ?? "",
    types: e.finding_info.types ?? [],
    severityId: e.severity_id,
    statusId: statusFromOcsf(e.status_id ?? 1),
    complianceStatusId:
      complianceStatus === undefined || complianceStatus === 0 || complianceStatus === 99 ? null : complianceStatus,
    control: controlRef && standard ? { standard, ref: controlRef } : null,
    remediation: e.remediation?.desc ?? "",
    riskScore: e.risk_score ?? 0,
    resources: (e.resources ?? []).map((r) => ({
      ref: (r.uid ?? r.name)!,
      name: r.name ?? r.uid!,
      kind: r.type?.trim().toLowerCase() || "resource",
    })),
    time,
    tenantRef: e.metadata.tenant_uid ?? null,
  };
}

/**
 * A JSON array (the text starts with `[`) or JSON lines (blank lines skipped). Two records with the same
 * (tenant, product, uid) in one file are a problem: the file would contradict itself.
 */
export function parseOcsfFindings(
  text: string,
): { ok: true; findings: OcsfFinding[]; records: number } | { ok: false; problems: OcsfProblem[]; records: number } {
  const problems: OcsfProblem[] = [];
  const findings: OcsfFinding[] = [];
  const take = (raw: unknown, base: string, line: number | undefined) => {
    const r = mapEvent(raw, base, line);
    if (Array.isArray(r)) problems.push(...r);
    else findings.push(r);
  };
  let records = 0;
  if (text.trimStart().startsWith("[")) {
    let doc: unknown;
    try {
      doc = JSON.parse(text);
    } catch (err) {
      return {
        ok: false,
        records: 0,
        problems: [{ pointer: "", message: `not valid JSON: ${(err as Error).message}` }],
      };
    }
    if (!Array.isArray(doc))
      return { ok: false, records: 0, problems: [{ pointer: "", message: "expected an array" }] };
    records = doc.length;
    for (const [i, raw] of doc.entries()) take(raw, `/${i}`, undefined);
  } else {
    const lines = text.split(/\r?\n/);
    lines.forEach((l, i) => {
      if (l.trim() === "") return;
      records++;
      let raw: unknown;
      try {
        raw = JSON.parse(l);
      } catch (err) {
        problems.push({ line: i + 1, message: `not valid JSON: ${(err as Error).message}` });
        return;
      }
      take(raw, "", i + 1);
    });
  }
  if (records === 0) problems.push({ message: "the file holds no OCSF events" });
  const seen = new Map<string, OcsfFinding>();
  for (const f of findings) {
    const key = JSON.stringify([f.tenantRef, f.source, f.uid]);
    const first = seen.get(key);
    if (first)
      problems.push({
        ...(f.line !== undefined ? { line: f.line } : {}),
        pointer: `${f.pointer}/finding_info/uid`,
        message: `finding ${f.uid} of ${f.source} appears twice (first ${first.line !== undefined ? `on line ${first.line}` : `at ${first.pointer}`}); keep one record per finding`,
      });
    else seen.set(key, f);
  }
  return problems.length > 0 ? { ok: false, problems, records } : { ok: true, findings, records };
}
