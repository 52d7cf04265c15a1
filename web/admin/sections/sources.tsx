import { useEffect, useRef, useState } from 'preact/hooks';
import type { Source, SourceStatus } from '../../shared/admin-api-types.ts';
import { format, type Messages } from '../../shared/i18n/index.ts';
import type { SectionProps } from '../console.tsx';
import { ConfirmInRow, DataTable, ErrorMessage, SectionHeading, Status, formatDate } from '../ui.tsx';
import { useFocusWhenShown } from './curated-form.tsx';
import { SourceForm, type SourceFormStart } from './source-form.tsx';

/** How often the list is read again while a sync is queued or running. */
const pollIntervalMs = 2000;
const errorPreviewChars = 90;

const isPending = (status: SourceStatus | undefined) => status === 'queued' || status === 'running';
const byName = (a: Source, b: Source) => a.name.localeCompare(b.name);

function countsText(messages: Messages, source: Source): string {
  const run = source.lastRun;
  if (!run) return '';
  const { added, updated, unchanged, deleted, failed } = run;
  return format(messages.admin.sources.counts, { added, updated, unchanged, deleted, failed });
}

function scheduleText(messages: Messages, schedule: string | null): string {
  const t = messages.admin.sources;
  if (!schedule) return t.onRequest;
  return /^\d+\s*[mhd]$/i.test(schedule) ? format(t.every, { interval: schedule }) : format(t.cron, { cron: schedule });
}

/**
 * A KB's sources (GET /kbs/:name/sources): status in words, the last run's counts and when,
 * schedule and next run, last error (in full on demand); add one, sync now (incremental or full),
 * edit, remove with its documents. While a sync is queued or running the list is read again
 * every 2 s, and a sync that ends is announced.
 */
export function SourcesSection({ api, messages, kb, refreshKbs, focusHeading }: SectionProps) {
  const t = messages.admin.sources;
  const [sources, setSources] = useState<Source[] | null>(null);
  /** A failed read of the list, cleared by the next read; `error` is a failed action's, kept until the next action. */
  const [loadError, setLoadError] = useState<unknown>(null);
  const [error, setError] = useState<unknown>(null);
  const [status, setStatus] = useState('');
  const [form, setForm] = useState<SourceFormStart | null>(null);
  const [confirming, setConfirming] = useState<string | null>(null);
  const [reload, setReload] = useState(0);
  const focusWhenShown = useFocusWhenShown(sources);
  /** Where focus goes back to when the form closes unsaved: the button that opened it. */
  const opener = useRef('source-new');
  /** Each source's status at the last read, to tell when a sync ended. */
  const lastStatuses = useRef(new Map<string, SourceStatus>());

  useEffect(() => {
    let current = true;
    api.listSources(kb).then(
      (list) => {
        if (!current) return;
        const ended = list.filter((source) => isPending(lastStatuses.current.get(source.id)) && !isPending(source.status));
        lastStatuses.current = new Map(list.map((source) => [source.id, source.status]));
        setSources(list);
        setLoadError(null);
        if (ended.length > 0) {
          setStatus(
            ended
              .map((source) => format(t.syncEnded, { name: source.name, status: t.statuses[source.status], counts: countsText(messages, source) }))
              .join(' '),
          );
          // Document counts changed.
          void refreshKbs();
        }
      },
      (caught: unknown) => current && setLoadError(caught),
    );
    return () => {
      current = false;
    };
  }, [api, kb, reload]);

  // Read again while any sync is pending; each read (or failed read) sets the next one, and none is set once all have ended.
  const pending = sources?.some((source) => isPending(source.status)) ?? false;
  useEffect(() => {
    if (!pending) return;
    const timer = setTimeout(() => setReload((value) => value + 1), pollIntervalMs);
    return () => clearTimeout(timer);
  }, [pending, sources, loadError]);

  const editId = (id: string) => `source-edit-${id}`;
  const openForm = (start: SourceFormStart, from: string) => {
    opener.current = from;
    setStatus('');
    setForm(start);
  };
  const closeForm = () => {
    setForm(null);
    focusWhenShown(opener.current);
  };
  const saved = (source: Source, created: boolean) => {
    setForm(null);
    setError(null);
    setStatus(format(created ? t.created : t.saved, { name: source.name }));
    lastStatuses.current.set(source.id, source.status);
    setSources((list) => (list ? (created ? [...list, source] : list.map((item) => (item.id === source.id ? source : item))).sort(byName) : list));
    // On the row just written: its Edit button names it.
    focusWhenShown(editId(source.id));
  };
  const sync = async (source: Source, full: boolean) => {
    setError(null);
    try {
      const queued = await api.syncSource(source.id, full);
      setStatus(format(queued.queued ? (full ? t.fullSyncQueued : t.syncQueued) : t.alreadyPending, { name: source.name }));
      // So that its end is announced, even when it ends before the next read.
      lastStatuses.current.set(source.id, 'queued');
      setReload((value) => value + 1);
    } catch (caught) {
      setError(caught);
    }
  };
  const remove = async (source: Source) => {
    setError(null);
    try {
      const removed = await api.deleteSource(source.id);
      setConfirming(null);
      if (form?.kind === 'edit' && form.source.id === source.id) setForm(null);
      setSources((list) => list?.filter((item) => item.id !== source.id) ?? list);
      setStatus(format(t.removed, { name: source.name, count: removed.documentsRemoved }));
      focusWhenShown('source-new');
      void refreshKbs();
    } catch (caught) {
      setError(caught);
    }
  };

  return (
    <section aria-labelledby="sources-heading">
      <SectionHeading id="sources-heading" focusOnMount={focusHeading && !form}>
        {format(t.heading, { kb })}
      </SectionHeading>
      <p class="hint">{format(t.intro, { kb })}</p>
      <div class="actions curated-toolbar">
        <button id="source-new" type="button" onClick={() => openForm({ kind: 'new' }, 'source-new')}>
          {t.newSource}
        </button>
      </div>
      {form && (
        <SourceForm
          // Another row's Edit, or Add while editing, is a new form, not the old one's fields.
          key={form.kind === 'edit' ? form.source.id : 'new'}
          {...{ api, messages, kb }}
          start={form}
          onSaved={saved}
          onCancel={closeForm}
        />
      )}
      <ErrorMessage messages={messages} error={loadError} />
      <ErrorMessage messages={messages} error={error} />
      {/* Always in the page, so a screen reader hears each new status. */}
      <Status>{status}</Status>
      <DataTable
        caption={t.caption}
        columns={[t.name, t.type, t.status, t.lastRun, t.schedule, t.lastError]}
        actions={messages.admin.kbs.actions}
        rows={sources}
        empty={t.none}
      >
        {(source) => {
          const run = source.lastRun;
          return (
            <tr key={source.id}>
              <th scope="row" class="wrap source-name">
                {source.name}
              </th>
              <td>{t.types[source.type]}</td>
              <td>
                <span class={`badge source-status status-${source.status}`}>{t.statuses[source.status]}</span>
              </td>
              <td class="last-run">
                {run ? (
                  <>
                    <span>{countsText(messages, source)}</span>
                    <span class="hint">
                      {format(t.finished, { mode: t.modes[run.mode], date: formatDate(messages.lang, run.finishedAt) })}
                    </span>
                  </>
                ) : (
                  t.notRun
                )}
              </td>
              <td class="schedule">
                <span>{scheduleText(messages, source.schedule)}</span>
                {source.nextRunAt && <span class="hint">{format(t.nextRun, { date: formatDate(messages.lang, source.nextRunAt) })}</span>}
              </td>
              <td>{source.lastError ? <LastError messages={messages} name={source.name} text={source.lastError} /> : '—'}</td>
              <td class="row-actions source-actions">
                <button type="button" class="secondary" onClick={() => void sync(source, false)} aria-label={format(t.syncNowNamed, { name: source.name })}>
                  {t.syncNow}
                </button>
                <button type="button" class="secondary" onClick={() => void sync(source, true)} aria-label={format(t.fullSyncNamed, { name: source.name })}>
                  {t.fullSync}
                </button>
                <button
                  id={editId(source.id)}
                  type="button"
                  class="secondary"
                  onClick={() => openForm({ kind: 'edit', source }, editId(source.id))}
                  aria-label={format(t.editNamed, { name: source.name })}
                >
                  {t.edit}
                </button>
                <ConfirmInRow
                  messages={messages}
                  confirming={confirming === source.id}
                  onAsk={() => setConfirming(source.id)}
                  onCancel={() => setConfirming(null)}
                  onConfirm={() => void remove(source)}
                  action={t.remove}
                  actionLabel={format(t.removeNamed, { name: source.name })}
                  confirmLabel={format(t.confirmRemove, { name: source.name })}
                />
              </td>
            </tr>
          );
        }}
      </DataTable>
    </section>
  );
}

/** The last error, or its start and the whole of it behind a disclosure when it is longer. */
function LastError({ messages, name, text }: { messages: Messages; name: string; text: string }) {
  const t = messages.admin.sources;
  const flat = text.replace(/\s+/g, ' ').trim();
  if (flat.length <= errorPreviewChars)
    return (
      <div class="last-error">
        <span class="error-text">{text}</span>
      </div>
    );
  return (
    <div class="last-error">
      {/* Hidden while the whole error is open below it (admin.css). */}
      <span class="error-text error-preview">{`${flat.slice(0, errorPreviewChars - 1)}…`}</span>
      <details>
        <summary aria-label={format(t.fullErrorNamed, { name })}>{t.fullError}</summary>
        <p class="chunk-text error-text">{text}</p>
      </details>
    </div>
  );
}
