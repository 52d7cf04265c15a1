import { useEffect, useRef, useState } from 'preact/hooks';
import type { CuratedAnswer } from '../../shared/admin-api-types.ts';
import { format } from '../../shared/i18n/index.ts';
import type { SectionProps } from '../console.tsx';
import { clearCuratedDraft, readCuratedDraft } from '../curated-draft.ts';
import { ConfirmInRow, DataTable, ErrorMessage, SectionHeading, Status, formatDate } from '../ui.tsx';
import { CuratedForm, useFocusWhenShown, type CuratedFormStart } from './curated-form.tsx';

const previewChars = 160;
const shownPhrasings = 3;

function preview(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > previewChars ? `${flat.slice(0, previewChars - 1)}…` : flat;
}

function matches(answer: CuratedAnswer, query: string): boolean {
  const needle = query.toLowerCase();
  return [...answer.questions, answer.answer, ...answer.tags].some((text) => text.toLowerCase().includes(needle));
}

/**
 * A KB's curated answers (GET /kbs/:name/curated-answers, the whole list: the route does
 * not page): their phrasings, a preview of the answer, cited documents, tags, on/off and
 * hits; add, edit, turn on or off, delete. A draft started in Insights (curated-draft.ts)
 * opens the form filled in.
 */
export function CuratedSection({ api, messages, kb, focusHeading }: SectionProps) {
  const t = messages.admin.curated;
  const [answers, setAnswers] = useState<CuratedAnswer[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [status, setStatus] = useState('');
  const [filter, setFilter] = useState('');
  const [form, setForm] = useState<CuratedFormStart | null>(() => {
    const draft = readCuratedDraft(kb);
    return draft ? { kind: 'new', draft } : null;
  });
  const [confirming, setConfirming] = useState<string | null>(null);
  const focusWhenShown = useFocusWhenShown(answers);
  /** Where focus goes back to when the form closes unsaved: the button that opened it. */
  const opener = useRef<string>('curated-new');

  useEffect(() => {
    let current = true;
    api
      .listCurated(kb)
      .then((list) => current && setAnswers(list))
      .catch((caught: unknown) => current && setError(caught));
    return () => {
      current = false;
    };
  }, [api, kb]);

  const editId = (id: string) => `curated-edit-${id}`;
  const openForm = (start: CuratedFormStart, from: string) => {
    opener.current = from;
    setStatus('');
    setForm(start);
  };
  const closeForm = () => {
    clearCuratedDraft();
    setForm(null);
    focusWhenShown(opener.current);
  };
  const saved = (answer: CuratedAnswer, created: boolean) => {
    clearCuratedDraft();
    setForm(null);
    setError(null);
    setStatus(format(created ? t.created : t.saved, { question: answer.questions[0] ?? '' }));
    setAnswers((list) => (list ? (created ? [...list, answer] : list.map((item) => (item.id === answer.id ? answer : item))) : list));
    // On the row just written: its Edit button names it, so a screen reader hears where it is.
    if (filter && !matches(answer, filter)) setFilter('');
    focusWhenShown(editId(answer.id));
  };
  const toggle = async (answer: CuratedAnswer) => {
    setError(null);
    try {
      const changed = await api.updateCurated(kb, answer.id, { enabled: !answer.enabled });
      setAnswers((list) => list?.map((item) => (item.id === changed.id ? changed : item)) ?? list);
      setStatus(format(changed.enabled ? t.turnedOn : t.turnedOff, { question: changed.questions[0] ?? '' }));
    } catch (caught) {
      setError(caught);
    }
  };
  const remove = async (answer: CuratedAnswer) => {
    setError(null);
    try {
      await api.deleteCurated(kb, answer.id);
      setConfirming(null);
      if (form?.kind === 'edit' && form.answer.id === answer.id) setForm(null);
      setAnswers((list) => list?.filter((item) => item.id !== answer.id) ?? list);
      setStatus(format(t.deleted, { question: answer.questions[0] ?? '' }));
      focusWhenShown('curated-new');
    } catch (caught) {
      setError(caught);
    }
  };

  const query = filter.trim();
  const shown = answers && query ? answers.filter((answer) => matches(answer, query)) : answers;
  return (
    <section aria-labelledby="curated-heading">
      <SectionHeading id="curated-heading" focusOnMount={focusHeading && !form}>
        {format(t.heading, { kb })}
      </SectionHeading>
      <p>{t.intro}</p>
      <p class="hint">{format(t.importHint, { kb })}</p>
      <div class="actions curated-toolbar">
        <button id="curated-new" type="button" onClick={() => openForm({ kind: 'new' }, 'curated-new')}>
          {t.newAnswer}
        </button>
      </div>
      {form && (
        <CuratedForm
          // A new start (another row's Edit, New while editing) is a new form, not the old one's fields.
          key={form.kind === 'edit' ? form.answer.id : 'new'}
          {...{ api, messages, kb }}
          start={form}
          onSaved={saved}
          onCancel={closeForm}
        />
      )}
      <ErrorMessage messages={messages} error={error} />
      {status && <Status>{status}</Status>}
      <div class="inline-form">
        <label for="curated-filter">{t.filterLabel}</label>
        <input id="curated-filter" type="search" value={filter} maxLength={200} onInput={(event) => setFilter(event.currentTarget.value)} />
      </div>
      <DataTable
        caption={query && shown ? format(t.captionFiltered, { q: query, count: shown.length }) : t.caption}
        columns={[t.phrasings, t.answer, t.sources, t.tags, t.state, t.hits, t.updated]}
        actions={messages.admin.kbs.actions}
        rows={shown}
        empty={query ? t.noneFound : t.none}
      >
        {(answer) => {
          const question = answer.questions[0] ?? '';
          return (
            <tr key={answer.id} class={answer.enabled ? undefined : 'off'}>
              <th scope="row" class="wrap phrasings-cell">
                {question}
                {answer.questions.length > 1 && (
                  <ul class="more-phrasings small">
                    {answer.questions.slice(1, shownPhrasings).map((text) => (
                      <li key={text}>{text}</li>
                    ))}
                    {answer.questions.length > shownPhrasings && <li>{format(t.morePhrasings, { count: answer.questions.length - shownPhrasings })}</li>}
                  </ul>
                )}
              </th>
              <td class="answer-preview">{preview(answer.answer)}</td>
              <td class="mono wrap">{answer.citations.length > 0 ? answer.citations.map((citation) => citation.source).join(', ') : '—'}</td>
              <td>
                {answer.tags.map((tag) => (
                  <span class="tag" key={tag}>
                    {tag}
                  </span>
                ))}
              </td>
              <td>
                <span class={`badge ${answer.enabled ? 'on' : 'off'}`}>{answer.enabled ? t.enabled : t.disabled}</span>
              </td>
              <td>{answer.hits}</td>
              <td>{formatDate(messages.lang, answer.updatedAt)}</td>
              <td class="row-actions">
                <button
                  id={editId(answer.id)}
                  type="button"
                  class="secondary"
                  onClick={() => openForm({ kind: 'edit', answer }, editId(answer.id))}
                  aria-label={format(t.editNamed, { question })}
                >
                  {t.edit}
                </button>
                <button
                  type="button"
                  class="secondary"
                  onClick={() => void toggle(answer)}
                  aria-label={format(answer.enabled ? t.disableNamed : t.enableNamed, { question })}
                >
                  {answer.enabled ? t.disable : t.enable}
                </button>
                <ConfirmInRow
                  messages={messages}
                  confirming={confirming === answer.id}
                  onAsk={() => setConfirming(answer.id)}
                  onCancel={() => setConfirming(null)}
                  onConfirm={() => void remove(answer)}
                  action={t.delete}
                  actionLabel={format(t.deleteNamed, { question })}
                  confirmLabel={format(t.confirmDelete, { question })}
                />
              </td>
            </tr>
          );
        }}
      </DataTable>
    </section>
  );
}
