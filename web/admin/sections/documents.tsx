import { useEffect, useRef, useState } from 'preact/hooks';
import type { Chunk, DocumentPage, DocumentSummary } from '../../shared/admin-api-types.ts';
import { format } from '../../shared/i18n/index.ts';
import type { SectionProps } from '../console.tsx';
import { ConfirmInRow, CursorPager, DataTable, DocumentName, ErrorMessage, formatDate, SectionHeading, Status } from '../ui.tsx';

const pageSize = 25;

/**
 * A KB's documents, a page at a time (GET /documents's cursor; earlier cursors are kept so
 * "Previous" works), searched by source or title; a document opens to its chunks.
 */
export function DocumentsSection({ api, messages, kb, refreshKbs, focusHeading }: SectionProps) {
  const t = messages.admin.documents;
  const searchField = useRef<HTMLInputElement>(null);
  const [appliedQuery, setAppliedQuery] = useState('');
  /** cursors[i] is the cursor of page i (null: the first page). */
  const [cursors, setCursors] = useState<Array<string | null>>([null]);
  const [page, setPage] = useState<DocumentPage | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [status, setStatus] = useState('');
  const [open, setOpen] = useState<DocumentSummary | null>(null);
  const [confirming, setConfirming] = useState<string | null>(null);
  const [reload, setReload] = useState(0);
  const cursor = cursors[cursors.length - 1] ?? null;

  useEffect(() => {
    let current = true;
    setError(null);
    api
      .listDocuments(kb, { q: appliedQuery, cursor, limit: pageSize })
      .then((loaded) => current && setPage(loaded))
      .catch((caught: unknown) => current && setError(caught));
    return () => {
      current = false;
    };
  }, [api, kb, appliedQuery, cursor, reload]);

  const remove = async (document: DocumentSummary) => {
    try {
      await api.deleteDocument(document.id);
      setConfirming(null);
      if (open?.id === document.id) setOpen(null);
      setStatus(format(t.deleted, { name: document.source }));
      setReload((value) => value + 1);
      void refreshKbs();
    } catch (caught) {
      setError(caught);
    }
  };

  return (
    <section aria-labelledby="documents-heading">
      <SectionHeading id="documents-heading" focusOnMount={focusHeading}>
        {format(t.heading, { kb })}
      </SectionHeading>
      <form
        role="search"
        class="inline-form"
        onSubmit={(event) => {
          event.preventDefault();
          // Read from the field, not from state: Enter can arrive before the last keystroke's render.
          setAppliedQuery((searchField.current?.value ?? '').trim());
          setCursors([null]);
        }}
      >
        <label for="document-search">{t.searchLabel}</label>
        <input id="document-search" ref={searchField} type="search" maxLength={200} />
        <button type="submit">{t.search}</button>
      </form>
      <ErrorMessage messages={messages} error={error} />
      {status && <Status>{status}</Status>}
      <DataTable
        caption={appliedQuery ? format(t.captionFiltered, { q: appliedQuery }) : t.caption}
        columns={[t.source, t.title, t.type, t.tags, t.chunks, t.updated]}
        actions={messages.admin.kbs.actions}
        rows={page?.documents}
        empty={appliedQuery ? t.noneFound : t.none}
      >
        {(document) => (
          <tr key={document.id}>
            <td class="mono wrap">{document.source}</td>
            <td>
              <DocumentName title={document.title} source="—" url={document.url} />
              {document.status !== 'ready' && (
                <span class={`badge ${document.status}`}>{t.statuses[document.status]}</span>
              )}
              {document.error && <span class="error-text">{document.error}</span>}
            </td>
            <td class="mono">{document.contentType}</td>
            <td>
              {Object.entries(document.tags).map(([name, value]) => (
                <span class="tag" key={name}>
                  {name}: {value}
                </span>
              ))}
            </td>
            <td>{document.chunkCount}</td>
            <td>{formatDate(messages.lang, document.updatedAt)}</td>
            <td class="row-actions">
              <button type="button" class="secondary" onClick={() => setOpen(document)} aria-label={format(t.openNamed, { name: document.source })}>
                {t.open}
              </button>
              <ConfirmInRow
                messages={messages}
                confirming={confirming === document.id}
                onAsk={() => setConfirming(document.id)}
                onCancel={() => setConfirming(null)}
                onConfirm={() => void remove(document)}
                action={t.delete}
                actionLabel={format(t.deleteNamed, { name: document.source })}
                confirmLabel={format(t.confirmDelete, { name: document.source })}
              />
            </td>
          </tr>
        )}
      </DataTable>
      <CursorPager cursors={cursors} nextCursor={page?.nextCursor} onChange={setCursors} labels={t} />
      {open && <ChunkViewer {...{ api, messages }} document={open} onClose={() => setOpen(null)} />}
    </section>
  );
}

/** A document's chunks as Oriole split them: heading path and text, a page of 100 at a time. */
function ChunkViewer({ api, messages, document, onClose }: Pick<SectionProps, 'api' | 'messages'> & { document: DocumentSummary; onClose: () => void }) {
  const t = messages.admin.documents;
  const [chunks, setChunks] = useState<Chunk[]>([]);
  const [next, setNext] = useState<number | null>(0);
  const [error, setError] = useState<unknown>(null);
  const [loading, setLoading] = useState(false);

  const load = async (from: number) => {
    setLoading(true);
    try {
      const loaded = await api.listChunks(document.id, from);
      setChunks((list) => (from === 0 ? loaded.chunks : [...list, ...loaded.chunks]));
      setNext(loaded.nextOrdinal);
    } catch (caught) {
      setError(caught);
    } finally {
      setLoading(false);
    }
  };
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    heading.current?.focus();
    void load(0);
  }, [document.id]);

  return (
    <section class="panel" aria-labelledby="chunks-heading">
      <div class="panel-head">
        <h3 id="chunks-heading" tabIndex={-1} ref={heading}>
          {format(t.chunksHeading, { name: document.title || document.source })}
        </h3>
        <button type="button" class="secondary" onClick={onClose}>
          {t.closeChunks}
        </button>
      </div>
      <ErrorMessage messages={messages} error={error} />
      {loading && <Status>{messages.admin.loading}</Status>}
      <ol class="chunks">
        {chunks.map((chunk) => (
          <li key={chunk.id}>
            <p class="chunk-meta">
              {format(t.chunkMeta, { ordinal: chunk.ordinal + 1, tokens: chunk.tokenCount })}
              {chunk.headingPath.length > 0 && <span class="heading-path"> · {chunk.headingPath.join(' › ')}</span>}
            </p>
            <p class="chunk-text">{chunk.text}</p>
          </li>
        ))}
      </ol>
      {!loading && chunks.length === 0 && !error && <p>{t.noChunks}</p>}
      {next !== null && next > 0 && (
        <button type="button" class="secondary" onClick={() => void load(next)}>
          {t.moreChunks}
        </button>
      )}
    </section>
  );
}
