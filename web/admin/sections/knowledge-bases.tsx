import { useState } from 'preact/hooks';
import { format } from '../../shared/i18n/index.ts';
import type { SectionProps } from '../console.tsx';
import { DataTable, ErrorMessage, SectionHeading, Status, formatDate } from '../ui.tsx';

/** Suggested embedders; the field takes any spec the server accepts, and empty means the server's default. */
const embedderSuggestions = ['transformers:Xenova/bge-small-en-v1.5', 'transformers:Xenova/bge-small-zh-v1.5', 'use-lite', 'none'];

export function KnowledgeBasesSection({ api, messages, kbs, refreshKbs, focusHeading }: SectionProps) {
  const t = messages.admin.kbs;
  const [name, setName] = useState('');
  const [embedder, setEmbedder] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [status, setStatus] = useState('');
  const [deleting, setDeleting] = useState<string | null>(null);

  const create = async (event: Event) => {
    event.preventDefault();
    setError(null);
    try {
      const created = await api.createKb({ name: name.trim(), ...(embedder.trim() ? { embedder: embedder.trim() } : {}) });
      setName('');
      setEmbedder('');
      setStatus(format(t.created, { name: created.name }));
      await refreshKbs();
    } catch (caught) {
      setError(caught);
    }
  };

  return (
    <section aria-labelledby="kbs-heading">
      <SectionHeading id="kbs-heading" focusOnMount={focusHeading}>
        {messages.admin.sections.kbs}
      </SectionHeading>
      <DataTable caption={t.caption} columns={[t.name, t.embedder, t.documents, t.chunks, t.updated]} actions={t.actions} rows={kbs} empty={t.none}>
        {(kb) => (
          <tr key={kb.name}>
            <th scope="row">{kb.name}</th>
            <td class="mono">{kb.embedder}</td>
            <td>{kb.documentCount ?? '—'}</td>
            <td>{kb.chunkCount ?? '—'}</td>
            <td>{formatDate(messages.lang, kb.updatedAt)}</td>
            <td>
              <button type="button" class="danger" onClick={() => setDeleting(kb.name)} aria-label={format(t.deleteNamed, { name: kb.name })}>
                {t.delete}
              </button>
            </td>
          </tr>
        )}
      </DataTable>
      {deleting && (
        <DeleteKb
          {...{ api, messages }}
          name={deleting}
          onDone={async (deleted) => {
            setDeleting(null);
            if (deleted) {
              setStatus(format(t.deleted, { name: deleting }));
              await refreshKbs();
            }
          }}
        />
      )}
      {status && <Status>{status}</Status>}
      <form class="panel" onSubmit={create} aria-labelledby="kb-create-heading">
        <h3 id="kb-create-heading">{t.createHeading}</h3>
        <div class="fields">
          <label>
            {t.name}
            <input required value={name} onInput={(event) => setName(event.currentTarget.value)} />
          </label>
          <label>
            {t.embedder}
            <input list="embedder-suggestions" value={embedder} placeholder={t.embedderDefault} onInput={(event) => setEmbedder(event.currentTarget.value)} />
          </label>
          <datalist id="embedder-suggestions">
            {embedderSuggestions.map((spec) => (
              <option key={spec} value={spec} />
            ))}
          </datalist>
        </div>
        <p class="hint">{t.embedderHint}</p>
        <button type="submit">{t.create}</button>
        <ErrorMessage messages={messages} error={error} />
      </form>
    </section>
  );
}

/** Deleting a KB deletes everything in it: the button works only once its name is typed. */
function DeleteKb({ api, messages, name, onDone }: Pick<SectionProps, 'api' | 'messages'> & { name: string; onDone: (deleted: boolean) => void }) {
  const t = messages.admin.kbs;
  const [typed, setTyped] = useState('');
  const [error, setError] = useState<unknown>(null);
  return (
    <form
      class="panel danger-zone"
      aria-labelledby="kb-delete-heading"
      onSubmit={async (event) => {
        event.preventDefault();
        if (typed !== name) return;
        try {
          await api.deleteKb(name);
          onDone(true);
        } catch (caught) {
          setError(caught);
        }
      }}
    >
      <h3 id="kb-delete-heading">{format(t.deleteHeading, { name })}</h3>
      <p>{t.deleteWarning}</p>
      <label>
        {format(t.typeToConfirm, { name })}
        <input value={typed} onInput={(event) => setTyped(event.currentTarget.value)} autocomplete="off" autoFocus />
      </label>
      <div class="actions">
        <button type="submit" class="danger" disabled={typed !== name}>
          {t.deleteForever}
        </button>
        <button type="button" class="secondary" onClick={() => onDone(false)}>
          {messages.admin.cancel}
        </button>
      </div>
      <ErrorMessage messages={messages} error={error} />
    </form>
  );
}
