import { useEffect, useState } from 'preact/hooks';
import type { AnalyticsSummary } from '../../shared/admin-api-types.ts';
import { format } from '../../shared/i18n/index.ts';
import type { SectionProps } from '../console.tsx';
import { draftPhrasings, openCuratedDraft } from '../curated-draft.ts';
import { DayChart } from '../day-chart.tsx';
import { ErrorMessage, SectionHeading, Status } from '../ui.tsx';

const periods = [7, 30, 90] as const;

function daysAgo(days: number): string {
  return new Date(Date.now() - days * 86_400_000).toISOString().slice(0, 10);
}

function percent(rate: number | null): string {
  return rate === null ? '—' : `${Math.round(rate * 100)}%`;
}

/**
 * GET /analytics/summary as a dashboard: totals, answers and abstentions by day, and the
 * lists content teams act on; a rated-down answer or an unanswered group opens a curated
 * answer drafted from it (curated-draft.ts).
 */
export function InsightsSection({ api, messages, kb, focusHeading }: SectionProps) {
  const t = messages.admin.insights;
  const [days, setDays] = useState<number>(30);
  const [summary, setSummary] = useState<AnalyticsSummary | null>(null);
  const [error, setError] = useState<unknown>(null);

  useEffect(() => {
    let current = true;
    setError(null);
    api
      .analytics(kb, daysAgo(days))
      .then((loaded) => current && setSummary(loaded))
      .catch((caught: unknown) => current && setError(caught));
    return () => {
      current = false;
    };
  }, [api, kb, days]);

  return (
    <section aria-labelledby="insights-heading">
      <SectionHeading id="insights-heading" focusOnMount={focusHeading}>
        {format(t.heading, { kb })}
      </SectionHeading>
      <div class="inline-form">
        <label for="insights-period">{t.period}</label>
        <select id="insights-period" value={String(days)} onChange={(event) => setDays(Number(event.currentTarget.value))}>
          {periods.map((count) => (
            <option key={count} value={String(count)}>
              {format(t.lastDays, { days: count })}
            </option>
          ))}
        </select>
      </div>
      <ErrorMessage messages={messages} error={error} />
      {!summary && !error && <Status>{messages.admin.loading}</Status>}
      {summary && (
        <>
          <dl class="totals">
            <div>
              <dt>{t.answers}</dt>
              <dd>{summary.totals.answers}</dd>
            </div>
            <div>
              <dt>{t.abstentionRate}</dt>
              <dd>{percent(summary.totals.abstentionRate)}</dd>
            </div>
            <div>
              <dt>{t.ratedUp}</dt>
              <dd>{summary.totals.feedbackUp}</dd>
            </div>
            <div>
              <dt>{t.ratedDown}</dt>
              <dd>{summary.totals.feedbackDown}</dd>
            </div>
            <div>
              <dt>{t.neverCited}</dt>
              <dd>{format(t.ofDocuments, { count: summary.totals.neverCitedDocuments, total: summary.totals.documents })}</dd>
            </div>
          </dl>
          <DayChart messages={messages} days={summary.byDay} />
          <div class="insight-lists">
            <section aria-labelledby="top-questions-heading">
              <h3 id="top-questions-heading">{t.topQuestions}</h3>
              {summary.topQuestions.length === 0 ? (
                <p>{t.noneYet}</p>
              ) : (
                <ol>
                  {summary.topQuestions.map((question) => (
                    <li key={question.question}>
                      {question.question}{' '}
                      <span class="hint">{format(t.askedTimes, { count: question.count, abstained: question.abstainedCount })}</span>
                    </li>
                  ))}
                </ol>
              )}
            </section>
            <section aria-labelledby="unanswered-heading">
              <h3 id="unanswered-heading">{t.unanswered}</h3>
              {summary.unansweredGroups.length === 0 ? (
                <p>{t.noneYet}</p>
              ) : (
                <ol>
                  {summary.unansweredGroups.map((group) => (
                    <li key={group.representative}>
                      {group.representative} <span class="hint">{format(t.groupCount, { count: group.count })}</span>
                      {group.questions.length > 1 && (
                        <ul class="small">
                          {group.questions.slice(0, 5).map((question) => (
                            <li key={question}>{question}</li>
                          ))}
                        </ul>
                      )}
                      <button
                        type="button"
                        class="secondary small-button"
                        aria-label={format(t.writeCuratedNamed, { question: group.representative })}
                        onClick={() => openCuratedDraft({ kb, questions: draftPhrasings([group.representative, ...group.questions]) })}
                      >
                        {t.writeCurated}
                      </button>
                    </li>
                  ))}
                </ol>
              )}
            </section>
            <section aria-labelledby="rated-down-heading">
              <h3 id="rated-down-heading">{t.ratedDownAnswers}</h3>
              {summary.lowRatedAnswers.length === 0 ? (
                <p>{t.noneYet}</p>
              ) : (
                <ul class="rated-down">
                  {summary.lowRatedAnswers.map((answer) => (
                    <li key={answer.answerId}>
                      <p>
                        <strong>{t.question}</strong> {answer.question}
                      </p>
                      <p class="chunk-text">{answer.answer}</p>
                      {answer.comment && (
                        <p>
                          <strong>{t.comment}</strong> {answer.comment}
                        </p>
                      )}
                      {answer.citations.length > 0 && (
                        <p class="small">
                          {t.cited} {answer.citations.map((citation) => citation.title || citation.source).join(' · ')}
                        </p>
                      )}
                      <button
                        type="button"
                        class="secondary small-button"
                        aria-label={format(t.writeCuratedNamed, { question: answer.question })}
                        onClick={() =>
                          openCuratedDraft({
                            kb,
                            questions: [answer.question],
                            fromAnswerId: answer.answerId,
                            ratedDown: { answer: answer.answer, comment: answer.comment },
                          })
                        }
                      >
                        {t.writeCurated}
                      </button>
                    </li>
                  ))}
                </ul>
              )}
            </section>
            <section aria-labelledby="never-cited-heading">
              <h3 id="never-cited-heading">{t.neverCitedDocuments}</h3>
              {summary.neverCitedDocuments.length === 0 ? (
                <p>{t.noneYet}</p>
              ) : (
                <ul>
                  {summary.neverCitedDocuments.map((document) => (
                    <li key={document.documentId}>
                      {document.title || document.source} <span class="mono small">{document.source}</span>
                    </li>
                  ))}
                </ul>
              )}
            </section>
          </div>
        </>
      )}
    </section>
  );
}
