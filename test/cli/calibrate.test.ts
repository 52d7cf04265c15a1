import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EvalReport } from '../../evals/index.ts';
import { createTestApp, postJson } from '../helpers/app.ts';
import { cliTargets, oriole, withCliDatabase } from '../helpers/cli.ts';

/**
 * `oriole calibrate` on a KB where the truth is known: one page a plan, each stating its
 * refund window, seat limit and price in the same words. A question about a plan whose page
 * is held out (or that has none) still finds a sibling plan's page, and the extractive reader
 * answers it with that plan's figure: a wrong answer, with a lower confidence than the right
 * ones. The threshold fitted to the budget must keep wrong answers to unseen questions within
 * it, and /answer must then withhold the answers under it.
 */

const plans = [
  'Falcon', 'Osprey', 'Heron', 'Kestrel', 'Plover', 'Curlew', 'Merlin', 'Gannet', 'Puffin', 'Avocet',
  'Dunlin', 'Lapwing', 'Bittern', 'Shrike', 'Wagtail', 'Siskin', 'Linnet', 'Bunting', 'Warbler', 'Swift',
  'Martin', 'Raven', 'Rook', 'Jackdaw', 'Magpie', 'Starling', 'Thrush', 'Robin', 'Wren', 'Finch',
  'Sparrow', 'Pipit', 'Lark', 'Nightjar', 'Hoopoe', 'Kingfisher', 'Dipper', 'Oriole', 'Tern', 'Skua',
];
/** Plans the KB has no page for: every answer about them is wrong. */
const missingPlans = ['Condor', 'Eagle', 'Vulture', 'Pelican', 'Albatross', 'Cormorant', 'Flamingo', 'Ibis', 'Stork', 'Crane'];

const facts: Array<{ name: string; value: (index: number) => string; question: (plan: string) => string }> = [
  { name: 'refund window', value: (index) => `${3 + (index % 9)} business days`, question: (plan) => `How many business days is the refund window for the ${plan} plan?` },
  { name: 'seat limit', value: (index) => `${10 + index * 5} seats`, question: (plan) => `What is the seat limit of the ${plan} plan?` },
  { name: 'monthly price', value: (index) => `$${19 + index * 2} per month`, question: (plan) => `How much does the ${plan} plan cost per month?` },
];

const budget = 0.2;

async function writeKnownTruth(directory: string): Promise<{ docs: string; cases: string; check: string }> {
  const docs = path.join(directory, 'docs');
  await mkdir(docs, { recursive: true });
  const cases: object[] = [];
  for (const [index, plan] of plans.entries()) {
    const lines = [`# The ${plan} plan`, '', ...facts.map((fact) => `The ${fact.name} of the ${plan} plan is ${fact.value(index)}.\n`)];
    lines.push(`The ${plan} plan is billed through the account page.`);
    await writeFile(path.join(docs, `${plan.toLowerCase()}.md`), `${lines.join('\n')}\n`);
    facts.forEach((fact, factIndex) =>
      cases.push({ id: `${plan}-${factIndex}`, question: fact.question(plan), reference_answer: fact.value(index), gold_sources: [`${plan.toLowerCase()}.md`] }),
    );
  }
  // A separate check set, never fitted on: some answerable questions, and questions about plans the KB lacks.
  const check = [
    ...plans.filter((_, index) => index % 4 === 0).map((plan) => {
      const index = plans.indexOf(plan);
      return { id: `check-${plan}`, question: facts[1]!.question(plan), reference_answer: facts[1]!.value(index), gold_sources: [`${plan.toLowerCase()}.md`] };
    }),
    ...missingPlans.map((plan, index) => ({ id: `check-missing-${plan}`, question: facts[index % 3]!.question(plan), answerable: false })),
  ];
  const jsonl = (rows: object[]) => `${rows.map((row) => JSON.stringify(row)).join('\n')}\n`;
  await writeFile(path.join(directory, 'cases.jsonl'), jsonl(cases));
  await writeFile(path.join(directory, 'check.jsonl'), jsonl(check));
  return { docs, cases: path.join(directory, 'cases.jsonl'), check: path.join(directory, 'check.jsonl') };
}

/** Answers given, and the share of them that are wrong, in an eval report. */
function answeredWrongShare(report: EvalReport): { answered: number; wrongShare: number } {
  const answered = report.rows.filter((row) => !row.abstained && row.failure !== 'error');
  return { answered: answered.length, wrongShare: answered.filter((row) => row.failure !== null).length / Math.max(1, answered.length) };
}

describe.each(cliTargets('oriole_calibrate'))('oriole calibrate on $name', { timeout: 900_000 }, (target) => {
  let environment: Record<string, string>;
  let directory: string;
  let files: { docs: string; cases: string; check: string };

  beforeAll(async () => {
    environment = { ...(await target.setUp()), ORIOLE_EMBEDDER: 'none' };
    directory = await mkdtemp(path.join(tmpdir(), 'oriole-calibrate-'));
    files = await writeKnownTruth(directory);
    const ingested = await oriole(['ingest', files.docs, '--kb', 'plans'], environment, 240_000);
    expect(ingested.code, ingested.stderr).toBe(0);
  }, 300_000);
  afterAll(async () => {
    await target.tearDown();
    await rm(directory, { recursive: true, force: true });
  });

  const settings = async () => JSON.parse((await oriole(['kb', 'settings', 'plans'], environment)).stdout) as { version: number; settings: { minConfidence?: number } };
  const evalReport = async (name: string): Promise<EvalReport> => {
    const out = path.join(directory, name);
    const run = await oriole(['eval', files.check, '--kb', 'plans', '--out', out], environment, 300_000);
    expect(run.code, run.stderr).toBe(0);
    return JSON.parse(await readFile(path.join(out, 'report.json'), 'utf8')) as EvalReport;
  };
  const calibrate = (...extra: string[]) =>
    oriole(
      ['calibrate', '--kb', 'plans', '--cases', files.cases, '--max-wrong', String(budget), '--confidence-level', '0.8', '--remove-share', '0.4', ...extra],
      environment,
      300_000,
    );

  it('fits minConfidence to the budget, stores it, and then keeps unseen wrong answers within it: /answer withholds those under it', async () => {
    const before = answeredWrongShare(await evalReport('before'));
    // Without a threshold the KB answers the questions about plans it lacks, wrongly.
    expect(before.wrongShare).toBeGreaterThan(budget);

    // A stale threshold is in place: calibration scores the answers it withholds, and replaces it.
    expect((await oriole(['kb', 'settings', 'plans', '--set', 'minConfidence=0.99'], environment)).code).toBe(0);
    const staleVersion = (await settings()).version;

    const dryRun = await calibrate('--dry-run');
    expect(dryRun.code, dryRun.stderr).toBe(0);
    expect(dryRun.stdout).toContain('(48 asked with their gold documents held out)');
    expect(dryRun.stdout).toMatch(/Dry run: minConfidence \d\.\d\d not stored\./);
    expect(await settings()).toMatchObject({ version: staleVersion, settings: { minConfidence: 0.99 } });

    const run = await calibrate();
    expect(run.code, run.stderr).toBe(0);
    const threshold = Number(/Stored minConfidence (\d\.\d\d) for 'plans'/.exec(run.stdout)?.[1]);
    // The same seed gives the same fit as the dry run.
    expect(dryRun.stdout).toContain(`Dry run: minConfidence ${threshold.toFixed(2)} not stored.`);
    expect(threshold).toBeGreaterThan(0);
    expect(threshold).toBeLessThan(0.99);
    expect(run.stdout).toContain('with probability at least 80.0 %');
    // The held-out half of the calibration cases, as the command reports it: within the budget, most answers kept.
    const checked = /checked on \(held out\)\s+(\d+) of (\d+) cases answered \(coverage [\d.]+ %\), (\d+) wrong/.exec(run.stdout);
    expect(checked, run.stdout).not.toBeNull();
    const [answered, cases, wrong] = checked!.slice(1).map(Number) as [number, number, number];
    expect(cases).toBe(60);
    expect(answered).toBeGreaterThan(cases / 3);
    expect(wrong / answered).toBeLessThanOrEqual(budget);
    expect(await settings()).toMatchObject({ version: staleVersion + 1, settings: { minConfidence: threshold } });

    // Unseen questions: wrong answers now within the budget, right ones still given.
    const after = answeredWrongShare(await evalReport('after'));
    expect(after.wrongShare).toBeLessThanOrEqual(budget);
    expect(after.answered).toBeGreaterThanOrEqual(5);

    await withCliDatabase(environment, async (database) => {
      const { app } = createTestApp(database, { worker: false });
      const ask = async (question: string) =>
        (await (await postJson(app, '/answer', { question, kb: 'plans' })).json()) as { abstained: boolean; reason?: string; confidence: number };
      const missing = await ask('What is the seat limit of the Gull plan?');
      expect(missing).toMatchObject({ abstained: true, reason: 'low_confidence' });
      expect(missing.confidence).toBeLessThan(threshold);
      const present = await ask('What is the seat limit of the Heron plan?');
      expect(present.abstained).toBe(false);
      expect(present.confidence).toBeGreaterThanOrEqual(threshold);
    });
  });

  it('says so when no threshold meets the budget, exits 1 and stores nothing; refuses a budget outside (0, 1)', async () => {
    const stored = await settings();
    const impossible = await oriole(
      ['calibrate', '--kb', 'plans', '--cases', files.check, '--max-wrong', '0.01'],
      environment,
      300_000,
    );
    expect(impossible.code).toBe(1);
    expect(impossible.stdout).toMatch(/No minConfidence meets the budget: the tightest bound these cases support is [\d.]+ %/);
    expect(impossible.stdout).toContain('Nothing stored.');
    expect(await settings()).toEqual(stored);

    const outOfRange = await oriole(['calibrate', '--kb', 'plans', '--cases', files.cases, '--max-wrong', '1.5'], environment);
    expect(outOfRange.code).toBe(1);
    expect(outOfRange.stderr).toContain('--max-wrong');
    expect(await settings()).toEqual(stored);
  });
});
