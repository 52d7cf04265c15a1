import { invalidRequest, notFound } from '../../core/index.ts';
import {
  deleteCuratedAnswer,
  findCuratedAnswer,
  findLoggedAnswer,
  insertCuratedAnswer,
  isUuid,
  listCuratedAnswers,
  missingSources,
  updateCuratedAnswer,
  type CuratedAnswer,
  type CuratedAnswerInput,
  type Database,
  type KnowledgeBase,
  type SqlExecutor,
} from '../../db/index.ts';
import { normaliseQuestion } from '../answer-cache.ts';

/**
 * Writing a KB's curated answers, for the API and the CLI alike: the checks the schema
 * cannot make (cited sources exist, a logged answer to start from, the phrasing count
 * after merging), then storage. Shapes and bounds are the schema's (src/api/curated-answer-schemas.ts).
 */

export interface NewCuratedAnswer {
  questions?: string[];
  answer: string;
  citations?: { source: string }[];
  tags?: string[];
  enabled?: boolean;
  /** An answer of the answers log whose question becomes the first phrasing. */
  fromAnswerId?: string;
}

export type CuratedAnswerChanges = Partial<Omit<NewCuratedAnswer, 'fromAnswerId'>>;

export const maxCuratedQuestions = 20;

export async function createCurated(database: SqlExecutor, kb: KnowledgeBase, input: NewCuratedAnswer): Promise<CuratedAnswer> {
  const fromQuestion = input.fromAnswerId === undefined ? [] : [await loggedQuestion(database, kb, input.fromAnswerId)];
  const questions = distinctPhrasings([...fromQuestion, ...(input.questions ?? [])]);
  const record: CuratedAnswerInput = {
    questions,
    answer: input.answer,
    citations: input.citations ?? [],
    tags: input.tags ?? [],
    enabled: input.enabled ?? true,
  };
  checkQuestionCount(record.questions);
  await checkCitations(database, kb, record.citations);
  return insertCuratedAnswer(database, kb.id, record);
}

export async function updateCurated(database: Database, kb: KnowledgeBase, id: string, changes: CuratedAnswerChanges): Promise<CuratedAnswer> {
  const questions = changes.questions ? distinctPhrasings(changes.questions) : undefined;
  if (questions) checkQuestionCount(questions);
  if (changes.citations) await checkCitations(database, kb, changes.citations);
  const updated = await updateCuratedAnswer(database, kb.id, id, { ...changes, ...(questions ? { questions } : {}) });
  if (!updated) throw notFound('curatedAnswer', id);
  return updated;
}

export async function getCurated(executor: SqlExecutor, kb: KnowledgeBase, id: string): Promise<CuratedAnswer> {
  const found = await findCuratedAnswer(executor, kb.id, id);
  if (!found) throw notFound('curatedAnswer', id);
  return found;
}

export async function removeCurated(executor: SqlExecutor, kb: KnowledgeBase, id: string): Promise<void> {
  if (!(await deleteCuratedAnswer(executor, kb.id, id))) throw notFound('curatedAnswer', id);
}

export function listCurated(executor: SqlExecutor, kb: KnowledgeBase): Promise<CuratedAnswer[]> {
  return listCuratedAnswers(executor, kb.id);
}

/** Phrasings without repeats (compared as the answer cache compares questions: case, width and spacing folded), first kept. */
export function distinctPhrasings(questions: readonly string[]): string[] {
  const seen = new Set<string>();
  const kept: string[] = [];
  for (const question of questions) {
    const trimmed = question.trim();
    const key = normaliseQuestion(trimmed);
    if (key === '' || seen.has(key)) continue;
    seen.add(key);
    kept.push(trimmed);
  }
  return kept;
}

function checkQuestionCount(questions: readonly string[]): void {
  if (questions.length === 0) {
    throw invalidRequest('questions: give at least one phrasing of the question (or fromAnswerId)', { field: 'questions' });
  }
  if (questions.length > maxCuratedQuestions) {
    throw invalidRequest(`questions: at most ${maxCuratedQuestions} phrasings (fromAnswerId's question counts as one)`, {
      field: 'questions',
      limit: maxCuratedQuestions,
    });
  }
}

/** Every cited source must name a document of the KB: 400 naming the first that does not. */
async function checkCitations(executor: SqlExecutor, kb: KnowledgeBase, citations: readonly { source: string }[]): Promise<void> {
  const missing = await missingSources(executor, kb.id, citations.map((citation) => citation.source));
  if (missing.length === 0) return;
  const index = citations.findIndex((citation) => citation.source === missing[0]);
  const field = `citations.${index}.source`;
  throw invalidRequest(`${field}: knowledge base '${kb.name}' has no document '${missing[0]!.slice(0, 200)}'`, {
    field,
    source: missing[0]!.slice(0, 200),
  });
}

/** The question of a logged answer of this KB; an answer of another KB is as unknown as a missing one. */
async function loggedQuestion(executor: SqlExecutor, kb: KnowledgeBase, answerId: string): Promise<string> {
  const logged = isUuid(answerId)
    ? await findLoggedAnswer(executor, answerId)
    : undefined;
  if (!logged || logged.kbId !== kb.id) throw notFound('answer', answerId);
  return logged.question;
}
