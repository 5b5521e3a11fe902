/**
 * The grounding contract of the forge helpers: every draft or summary comes with the facts it was built from
 * (each naming the record it came from) and a list of what the appliance does not hold. Templates take their
 * numbers and names through `FactSheet.use`, so a value that appears in a draft is, by construction, a recorded
 * fact; nothing is invented and nothing is left as placeholder prose.
 */

export type FactValue = string | number | boolean | null;

export interface Fact {
  /** The id of the record the value was read from: a quote, quote line, contact, finding, deal, tenant. */
  source_id: string;
  field: string;
  value: FactValue;
}

export interface Missing {
  field: string;
  reason: string;
}

export class FactSheet {
  readonly facts: Fact[] = [];
  readonly missing: Missing[] = [];

  /** Records a fact and returns its value as text, for use in the draft. */
  use(sourceId: string, field: string, value: FactValue): string {
    if (!this.facts.some((f) => f.source_id === sourceId && f.field === field && f.value === value))
      this.facts.push({ source_id: sourceId, field, value });
    return value === null ? "" : String(value);
  }

  lack(field: string, reason: string): void {
    if (!this.missing.some((m) => m.field === field)) this.missing.push({ field, reason });
  }
}

/** Honorifics that make a greeting formal by themselves ("Dr. Chen", never "Dr."). */
const HONORIFICS = new Set(["dr", "prof", "professor", "mr", "mrs", "ms", "mx", "miss", "rev", "sir", "dame", "judge"]);

export interface ParsedName {
  honorific: string | null;
  first: string;
  last: string;
}

/** "Dr. Maya Chen" -> { honorific: "Dr.", first: "Maya", last: "Chen" }. */
export function parseName(fullName: string): ParsedName {
  const words = fullName.trim().split(/\s+/).filter(Boolean);
  let honorific: string | null = null;
  const head = words[0]?.replace(/\.$/, "").toLowerCase();
  if (head && HONORIFICS.has(head) && words.length > 1) {
    const raw = words.shift()!;
    honorific = raw.endsWith(".") || raw.length > 4 ? raw : `${raw}.`;
  }
  // After an honorific a single word is the surname ("Dr. Chen"); otherwise a single word is a first name.
  if (honorific && words.length === 1) return { honorific, first: "", last: words[0]! };
  return { honorific, first: words[0] ?? "", last: words.length > 1 ? words[words.length - 1]! : "" };
}

/**
 * The stated greeting rule: a name that carries an honorific is greeted by honorific and surname
 * ("Dr. Chen"); any other name by first name ("Rachel"). An honorific with no surname falls back to the
 * first name, so the result is never a bare "Dr.".
 */
export function greetingName(fullName: string): string {
  const n = parseName(fullName);
  if (n.honorific && n.last) return `${n.honorific} ${n.last}`;
  return n.first || fullName.trim();
}

/** Name comparison that ignores honorifics, case and extra spaces: "maya chen" matches "Dr. Maya Chen". */
export function samePerson(a: string, b: string): boolean {
  const key = (s: string) => {
    const n = parseName(s);
    return `${n.first} ${n.last}`.toLowerCase();
  };
  return key(a) === key(b);
}
