import { useRef, useState } from 'preact/hooks';
import type { Job } from '../../shared/admin-api-types.ts';
import { format } from '../../shared/i18n/index.ts';
import type { SectionProps } from '../console.tsx';
import { ErrorMessage, SectionHeading, errorText } from '../ui.tsx';

/** One upload or crawl the page follows: its own POST, then its job polled until it ends. */
interface Tracked {
  id: number;
  label: string;
  kb: string;
  job: Job | null;
  /** The POST itself failed (too large, unsupported type…): the server's message. */
  error: string | null;
}

const pollIntervalMs = 1000;
let nextId = 1;

/**
 * Upload: files dropped on the drop zone or chosen in its file input (the same input, so
 * the keyboard reaches it), each POSTed on its own so each has its own job, progress and
 * errors; a .zip is one file whose job lists the documents inside. "Add a URL" queues a
 * crawl job.
 */
export function UploadSection({ api, messages, kb, refreshKbs, focusHeading }: SectionProps) {
  const t = messages.admin.upload;
  const [tracked, setTracked] = useState<Tracked[]>([]);
  const [dragging, setDragging] = useState(false);
  const [url, setUrl] = useState('');
  const [maxPages, setMaxPages] = useState('50');
  const [maxDepth, setMaxDepth] = useState('2');
  const [crawlError, setCrawlError] = useState<unknown>(null);
  const input = useRef<HTMLInputElement>(null);

  const update = (id: number, change: Partial<Tracked>) =>
    setTracked((list) => list.map((item) => (item.id === id ? { ...item, ...change } : item)));

  /** Polls a job until it succeeds or fails; the KB list is refreshed then (document counts changed). */
  const follow = async (id: number, jobId: string) => {
    for (;;) {
      try {
        const job = await api.job(jobId);
        update(id, { job });
        if (job.status === 'succeeded' || job.status === 'failed') {
          void refreshKbs();
          return;
        }
      } catch (error) {
        update(id, { error: errorText(messages, error) });
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, pollIntervalMs));
    }
  };

  const uploadFiles = async (files: File[]) => {
    const items = files.map((file) => ({ id: nextId++, label: file.name, kb, job: null, error: null }));
    setTracked((list) => [...items, ...list]);
    await Promise.all(
      files.map(async (file, index) => {
        const item = items[index]!;
        try {
          const queued = await api.uploadFile(kb, file);
          await follow(item.id, queued.jobId);
        } catch (error) {
          update(item.id, { error: errorText(messages, error) });
        }
      }),
    );
  };

  const queueCrawl = async (event: Event) => {
    event.preventDefault();
    setCrawlError(null);
    try {
      const queued = await api.crawl({ kb, url: url.trim(), crawl: { maxPages: Number(maxPages), maxDepth: Number(maxDepth) } });
      const item = { id: nextId++, label: url.trim(), kb, job: null, error: null };
      setTracked((list) => [item, ...list]);
      setUrl('');
      void follow(item.id, queued.jobId);
    } catch (error) {
      setCrawlError(error);
    }
  };

  return (
    <section aria-labelledby="upload-heading">
      <SectionHeading id="upload-heading" focusOnMount={focusHeading}>
        {format(t.heading, { kb })}
      </SectionHeading>
      <div
        class={`drop-zone${dragging ? ' dragging' : ''}`}
        onDragOver={(event) => {
          event.preventDefault();
          setDragging(true);
        }}
        onDragLeave={() => setDragging(false)}
        onDrop={(event) => {
          event.preventDefault();
          setDragging(false);
          const files = [...(event.dataTransfer?.files ?? [])];
          if (files.length > 0) void uploadFiles(files);
        }}
      >
        <label for="upload-files">{t.dropLabel}</label>
        <input
          id="upload-files"
          ref={input}
          type="file"
          multiple
          aria-describedby="upload-hint"
          onChange={(event) => {
            const files = [...(event.currentTarget.files ?? [])];
            event.currentTarget.value = '';
            if (files.length > 0) void uploadFiles(files);
          }}
        />
        <p id="upload-hint" class="hint">
          {t.dropHint}
        </p>
      </div>

      <form class="panel" onSubmit={queueCrawl} aria-labelledby="crawl-heading">
        <h3 id="crawl-heading">{t.crawlHeading}</h3>
        <div class="fields">
          <label class="wide">
            {t.url}
            <input type="url" required value={url} placeholder="https://help.example.com/" onInput={(event) => setUrl(event.currentTarget.value)} />
          </label>
          <label>
            {t.maxPages}
            <input type="number" min={1} max={1000} required value={maxPages} onInput={(event) => setMaxPages(event.currentTarget.value)} />
          </label>
          <label>
            {t.maxDepth}
            <input type="number" min={0} max={10} required value={maxDepth} onInput={(event) => setMaxDepth(event.currentTarget.value)} />
          </label>
        </div>
        <button type="submit">{t.crawl}</button>
        <ErrorMessage messages={messages} error={crawlError} />
      </form>

      {tracked.length > 0 && (
        <section aria-labelledby="uploads-heading">
          <h3 id="uploads-heading">{t.progressHeading}</h3>
          <ul class="uploads">
            {tracked.map((item) => (
              <UploadRow key={item.id} item={item} messages={messages} />
            ))}
          </ul>
        </section>
      )}
    </section>
  );
}

function UploadRow({ item, messages }: { item: Tracked; messages: SectionProps['messages'] }) {
  const t = messages.admin.upload;
  const job = item.job;
  const state = item.error ? 'failed' : (job?.status ?? 'sending');
  const failures = job?.documents?.filter((document) => document.error) ?? [];
  return (
    <li class={`upload ${state}`}>
      <div class="upload-head">
        <span class="upload-name">{item.label}</span>
        <span class="badge" role="status">
          {format(t.state, { state: t.states[state] ?? state, kb: item.kb })}
        </span>
      </div>
      {job && job.status !== 'failed' && (
        <progress
          max={Math.max(job.progress.total, 1)}
          value={job.status === 'succeeded' ? Math.max(job.progress.total, 1) : job.progress.done}
          aria-label={format(t.progressLabel, { name: item.label })}
        />
      )}
      {job && <p class="hint">{format(t.counts, { done: job.progress.done, total: job.progress.total })}</p>}
      {item.error && <p class="error-text">{item.error}</p>}
      {job?.status === 'failed' && job.error && failures.length === 0 && <p class="error-text">{job.error}</p>}
      {(job?.documents?.length ?? 0) > 1 || failures.length > 0 ? (
        <ul class="job-documents">
          {job!.documents!.map((document) => (
            <li key={document.source}>
              <span class="mono">{document.source}</span>: {document.outcome ?? document.status}
              {document.error && <span class="error-text"> — {document.error}</span>}
            </li>
          ))}
        </ul>
      ) : null}
    </li>
  );
}
