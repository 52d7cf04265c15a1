import { useEffect, useState } from 'preact/hooks';
import type { EvalRun, EvalSetSummary } from '../../shared/admin-api-types.ts';
import { format } from '../../shared/i18n/index.ts';
import type { SectionProps } from '../console.tsx';
import { ReportViewer } from '../report-viewer.tsx';
import { DataTable, ErrorMessage, SectionHeading, Status, formatDate } from '../ui.tsx';

const pollIntervalMs = 2000;
/** Summary metrics shown in the runs table; the report has them all. */
const shownMetrics = ['retrieval.hit_at_k', 'answer.token_f1', 'abstention.accuracy'];

/** Stored eval sets (each can be run), the KB's runs with status and progress, and a run's report. */
export function EvalsSection({ api, messages, kb, focusHeading }: SectionProps) {
  const t = messages.admin.evals;
  const [sets, setSets] = useState<EvalSetSummary[] | null>(null);
  const [runs, setRuns] = useState<EvalRun[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [status, setStatus] = useState('');
  const [report, setReport] = useState<EvalRun | null>(null);
  const [tick, setTick] = useState(0);

  useEffect(() => {
    api.listEvalSets(kb).then(setSets, setError);
  }, [api, kb]);

  // Runs are reloaded while any is queued or running, so progress moves without a click.
  useEffect(() => {
    let current = true;
    let timer: ReturnType<typeof setTimeout> | undefined;
    api.listEvalRuns(kb).then(
      (loaded) => {
        if (!current) return;
        setRuns(loaded);
        if (loaded.some((run) => run.status === 'queued' || run.status === 'running')) timer = setTimeout(() => setTick((value) => value + 1), pollIntervalMs);
      },
      (caught: unknown) => current && setError(caught),
    );
    return () => {
      current = false;
      clearTimeout(timer);
    };
  }, [api, kb, tick]);

  const start = async (name: string) => {
    try {
      await api.startEval(kb, name);
      setStatus(format(t.started, { name }));
      setTick((value) => value + 1);
    } catch (caught) {
      setError(caught);
    }
  };

  return (
    <section aria-labelledby="evals-heading">
      <SectionHeading id="evals-heading" focusOnMount={focusHeading}>
        {format(t.heading, { kb })}
      </SectionHeading>
      <ErrorMessage messages={messages} error={error} />
      {status && <Status>{status}</Status>}
      <h3>{t.setsHeading}</h3>
      {sets === null ? (
        <Status>{messages.admin.loading}</Status>
      ) : sets.length === 0 ? (
        <p>{t.noSets}</p>
      ) : (
        <ul class="eval-sets">
          {sets.map((set) => (
            <li key={set.name}>
              <span>
                <strong>{set.name}</strong> <span class="hint">{format(t.setMeta, { cases: set.caseCount, updated: formatDate(messages.lang, set.updatedAt) })}</span>
              </span>
              <button type="button" onClick={() => void start(set.name)} aria-label={format(t.runNamed, { name: set.name })}>
                {t.run}
              </button>
            </li>
          ))}
        </ul>
      )}
      <DataTable
        caption={t.runsHeading}
        columns={[t.createdAt, t.set, t.status, ...shownMetrics.map((metric) => ({ label: metric, class: 'mono' }))]}
        actions={messages.admin.kbs.actions}
        rows={runs}
        empty={t.noRuns}
      >
        {(run) => (
          <tr key={run.id}>
            <td>{formatDate(messages.lang, run.createdAt)}</td>
            <td>{run.evalSet}</td>
            <td>
              {t.statuses[run.status]}
              {(run.status === 'running' || run.status === 'queued') && (
                <progress
                  max={Math.max(run.progress.total, 1)}
                  value={run.progress.done}
                  aria-label={format(t.progressLabel, { done: run.progress.done, total: run.progress.total })}
                />
              )}
              {run.error && <span class="error-text">{run.error}</span>}
            </td>
            {shownMetrics.map((metric) => (
              <td key={metric}>{run.summary?.[metric]?.toFixed(2) ?? '—'}</td>
            ))}
            <td>
              {run.status === 'succeeded' && (
                <button type="button" class="secondary" onClick={() => setReport(run)}>
                  {t.openReport}
                </button>
              )}
            </td>
          </tr>
        )}
      </DataTable>
      {report && <ReportViewer api={api} messages={messages} run={report} onClose={() => setReport(null)} />}
    </section>
  );
}
