import { statedValues, valuesDiffer } from '../answer/index.ts';
import type { ConflictingStatement, SourceConflict } from '../core/index.ts';

/** Two documents that stated different values for the same thing in answers of the period. */
export interface ConflictingDocuments {
  kind: SourceConflict['kind'];
  /** The two documents, by source, each with the value it stated the last time and the sentence stating it. */
  documents: Array<{ source: string; title: string | null; value: string; text: string }>;
  /** Answers of the period whose sources showed this disagreement. */
  count: number;
  /** The latest question that exposed it. */
  question: string;
  lastAskedAt: string;
}

/**
 * The pairs of documents that disagree, from the answers that logged a conflict (most
 * recent first): one entry per kind of value and pair of documents (by source, so a
 * re-ingested document keeps its history), with how many answers exposed it and the
 * latest question that did. Statements that agree (a majority's documents) make no pair.
 * Ordered by count, then by the latest question, then by source.
 */
export function conflictingDocumentPairs(
  logged: ReadonlyArray<{ question: string; askedAt: Date; conflicts: readonly SourceConflict[] }>,
): ConflictingDocuments[] {
  const pairs = new Map<string, ConflictingDocuments & { lastAsked: Date }>();
  for (const answer of logged) {
    const counted = new Set<string>();
    for (const conflict of answer.conflicts) {
      for (const [left, right] of disagreeingPairs(conflict)) {
        const key = `${conflict.kind}\n${left.source}\n${right.source}`;
        if (counted.has(key)) continue;
        counted.add(key);
        const entry = pairs.get(key);
        if (entry) {
          entry.count += 1;
          if (answer.askedAt > entry.lastAsked) Object.assign(entry, latest(answer, left, right));
          continue;
        }
        pairs.set(key, { kind: conflict.kind, count: 1, ...latest(answer, left, right) });
      }
    }
  }
  return [...pairs.values()]
    .sort(
      (a, b) =>
        b.count - a.count ||
        b.lastAsked.getTime() - a.lastAsked.getTime() ||
        a.documents[0]!.source.localeCompare(b.documents[0]!.source) ||
        a.documents[1]!.source.localeCompare(b.documents[1]!.source),
    )
    .map(({ lastAsked: _lastAsked, ...pair }) => pair);
}

function latest(answer: { question: string; askedAt: Date }, left: ConflictingStatement, right: ConflictingStatement) {
  const document = (statement: ConflictingStatement) => ({ source: statement.source, title: statement.title, value: statement.value, text: statement.text });
  return { documents: [document(left), document(right)], question: answer.question, lastAskedAt: answer.askedAt.toISOString(), lastAsked: answer.askedAt };
}

/** Pairs of statements of different documents whose values differ, each pair ordered by source. */
function disagreeingPairs(conflict: SourceConflict): Array<[ConflictingStatement, ConflictingStatement]> {
  const pairs: Array<[ConflictingStatement, ConflictingStatement]> = [];
  conflict.statements.forEach((left, index) => {
    for (const right of conflict.statements.slice(index + 1)) {
      if (left.source === right.source || !differ(conflict.kind, left.value, right.value)) continue;
      pairs.push(left.source < right.source ? [left, right] : [right, left]);
    }
  });
  return pairs;
}

/** Whether two values as written differ, read as the answer read them (stated-values.ts); as text when they cannot be read. */
function differ(kind: SourceConflict['kind'], left: string, right: string): boolean {
  const [leftValue] = statedValues(left, kind);
  const [rightValue] = statedValues(right, kind);
  if (!leftValue || !rightValue) return left.replace(/\s+/g, '') !== right.replace(/\s+/g, '');
  return valuesDiffer(leftValue, rightValue);
}
