/**
 * A document is related to a request when its title or tags carry at least RELATED_MIN_RELEVANCE of the
 * request's knowledge topics. Title and tags are what an author states a document is about; a word in the
 * body is not (a BitLocker runbook that mentions a printer is not about printers). The candidate documents
 * come from the full-text search; this rule only decides which of them to show.
 */
export const RELATED_MIN_RELEVANCE = 0.5;

export interface RelatedCandidate {
  id: string;
  kind: string;
  title: string;
  tags: string[];
}

export function documentRelevance(doc: Pick<RelatedCandidate, "title" | "tags">, topics: readonly string[]): number {
  if (topics.length === 0) return 0;
  const terms = new Set<string>();
  for (const tag of doc.tags) {
    const t = tag.toLowerCase();
    terms.add(t);
    for (const part of t.split("-")) terms.add(part);
  }
  for (const word of doc.title.toLowerCase().split(/[^a-z0-9]+/)) if (word) terms.add(word);
  const hits = topics.filter((t) => terms.has(t)).length;
  return Math.round((hits / topics.length) * 100) / 100;
}

export function relatedDocuments<D extends RelatedCandidate>(
  candidates: readonly D[],
  topics: readonly string[],
  max = 3,
): (D & { relevance: number })[] {
  return candidates
    .map((d, order) => ({ d, order, relevance: documentRelevance(d, topics) }))
    .filter((c) => c.relevance >= RELATED_MIN_RELEVANCE)
    .sort((a, b) => b.relevance - a.relevance || a.order - b.order)
    .slice(0, max)
    .map((c) => ({ ...c.d, relevance: c.relevance }));
}
