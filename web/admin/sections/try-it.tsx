import { useRef, useState } from 'preact/hooks';
import type { SearchResult } from '../../shared/admin-api-types.ts';
import { format } from '../../shared/i18n/index.ts';
import type { SectionProps } from '../console.tsx';
import { DocumentName, ErrorMessage, SectionHeading, Status } from '../ui.tsx';

/** The recall test: what POST /search finds for a question, with scores, beside a link to the chat page. */
export function TryItSection({ api, messages, kb, focusHeading }: SectionProps) {
  const t = messages.admin.tryIt;
  const field = useRef<HTMLInputElement>(null);
  const [results, setResults] = useState<SearchResult[] | null>(null);
  const [searched, setSearched] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  const search = async (event: Event) => {
    event.preventDefault();
    // Read from the field, not from state: Enter can arrive before the last keystroke's render.
    const text = (field.current?.value ?? '').trim();
    if (!text) return;
    setBusy(true);
    setError(null);
    try {
      setResults((await api.search(kb, text)).results);
      setSearched(text);
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section aria-labelledby="try-heading">
      <SectionHeading id="try-heading" focusOnMount={focusHeading}>
        {format(t.heading, { kb })}
      </SectionHeading>
      <p>
        {t.intro} <a href="/">{t.chatLink}</a>
      </p>
      <form role="search" class="inline-form" onSubmit={search}>
        <label for="try-query">{t.queryLabel}</label>
        <input id="try-query" ref={field} type="search" maxLength={2000} />
        <button type="submit" disabled={busy}>
          {t.search}
        </button>
      </form>
      <ErrorMessage messages={messages} error={error} />
      {busy && <Status>{messages.admin.loading}</Status>}
      {results && (
        <section aria-labelledby="try-results-heading">
          <h3 id="try-results-heading">{format(t.resultsHeading, { count: results.length, q: searched })}</h3>
          {results.length === 0 ? (
            <p>{t.noResults}</p>
          ) : (
            <ol class="results">
              {results.map((result) => (
                <li key={result.chunkId}>
                  <div class="result-head">
                    <span class="score" title={t.scoreTitle}>
                      {format(t.score, { score: result.score.toFixed(3) })}
                    </span>
                    <DocumentName title={result.title} source={result.source} url={result.url} />
                    {result.heading && <span class="heading-path"> · {result.heading}</span>}
                  </div>
                  <p class="mono small">{result.source}</p>
                  <p class="chunk-text">{result.text}</p>
                </li>
              ))}
            </ol>
          )}
        </section>
      )}
    </section>
  );
}
