import { useEffect, useRef, useState } from 'preact/hooks';
import type { CuratedAnswer } from '../../shared/admin-api-types.ts';
import { ApiError } from '../../shared/api.ts';
import { format } from '../../shared/i18n/index.ts';
import type { SectionProps } from '../console.tsx';
import { curatedLimits, type CuratedDraft } from '../curated-draft.ts';
import { errorText } from '../ui.tsx';

/** What the form opens with: a blank or drafted new answer, or a stored one to change. */
export type CuratedFormStart = { kind: 'new'; draft?: CuratedDraft } | { kind: 'edit'; answer: CuratedAnswer };

type FieldName = 'questions' | 'answer' | 'citations' | 'tags';
const fieldNames: readonly string[] = ['questions', 'answer', 'citations', 'tags'] satisfies FieldName[];

/**
 * The field a 400 names, from its details: `field` (a cited source the KB lacks:
 * `citations.1.source`) or the first validation issue's `path` (`answer`, `questions.2`).
 */
export function invalidField(error: unknown): { name: FieldName; index?: number } | undefined {
  if (!(error instanceof ApiError) || error.status !== 400 || !error.details) return undefined;
  const issues = error.details.issues as Array<{ path?: unknown }> | undefined;
  const path = typeof error.details.field === 'string' ? error.details.field : issues?.[0]?.path;
  if (typeof path !== 'string') return undefined;
  const [name, index] = path.split('.');
  if (!name || !fieldNames.includes(name)) return undefined;
  return { name: name as FieldName, ...(index !== undefined && /^\d+$/.test(index) ? { index: Number(index) } : {}) };
}

/**
 * Focuses the element with this id once it is in the page: after the render that adds it,
 * or, for a row of a list being reloaded, after the render that brings the list back.
 */
export function useFocusWhenShown(shownBy: unknown): (id: string) => void {
  const [target, setTarget] = useState<string | null>(null);
  useEffect(() => {
    if (!target) return;
    const element = document.getElementById(target);
    if (!element) return;
    element.focus();
    setTarget(null);
  }, [target, shownBy]);
  return setTarget;
}

interface Phrasing {
  key: number;
  text: string;
}

const tagList = (text: string): string[] =>
  text
    .split(/[,，]/)
    .map((tag) => tag.trim())
    .filter(Boolean);

/**
 * Creating or changing a curated answer: phrasings as fields one can add and remove (a
 * pasted block of lines becomes one field a line), the Markdown answer, cited documents
 * picked from the KB's sources or typed, tags, on/off. The server checks everything; its
 * 400 is shown under the fields and announced, and the field it names is marked and focused.
 * Escape cancels.
 */
export function CuratedForm({
  api,
  messages,
  kb,
  start,
  onSaved,
  onCancel,
}: Pick<SectionProps, 'api' | 'messages' | 'kb'> & {
  start: CuratedFormStart;
  onSaved: (answer: CuratedAnswer, created: boolean) => void;
  onCancel: () => void;
}) {
  const t = messages.admin.curated;
  const stored = start.kind === 'edit' ? start.answer : undefined;
  const draft = start.kind === 'new' ? start.draft : undefined;
  /** The rated-down answer's question: the server adds it as the first phrasing, so it is shown fixed. */
  const fixedQuestion = draft?.fromAnswerId ? draft.questions[0] : undefined;
  const nextKey = useRef(0);
  const phrasing = (text: string): Phrasing => ({ key: nextKey.current++, text });
  const [phrasings, setPhrasings] = useState<Phrasing[]>(() => {
    const initial = stored?.questions ?? (fixedQuestion === undefined ? draft?.questions : draft?.questions.slice(1)) ?? [];
    return initial.length > 0 || fixedQuestion !== undefined ? initial.map(phrasing) : [phrasing('')];
  });
  const [answer, setAnswer] = useState(stored?.answer ?? '');
  const [sources, setSources] = useState<string[]>(stored?.citations.map((citation) => citation.source) ?? []);
  const [sourceText, setSourceText] = useState('');
  const [suggestions, setSuggestions] = useState<Array<{ source: string; title: string | null }>>([]);
  const [tags, setTags] = useState(stored?.tags.join(', ') ?? '');
  const [enabled, setEnabled] = useState(stored?.enabled ?? true);
  const [error, setError] = useState<unknown>(null);
  /** The field the error names; for a phrasing, the key of the field it was sent from. */
  const [invalid, setInvalid] = useState<{ name: FieldName; key?: number } | null>(null);
  const [busy, setBusy] = useState(false);
  const heading = useRef<HTMLHeadingElement>(null);
  const focusWhenShown = useFocusWhenShown(phrasings);

  useEffect(() => heading.current?.focus(), []);

  // The KB's document sources matching what is typed, as the cited-document field's suggestions.
  useEffect(() => {
    let current = true;
    const timer = setTimeout(() => {
      api
        .listDocuments(kb, { q: sourceText.trim(), limit: 20 })
        .then((page) => current && setSuggestions(page.documents.map(({ source, title }) => ({ source, title }))))
        // Only suggestions: without them the field still takes a typed source, which the server checks.
        .catch(() => current && setSuggestions([]));
    }, 250);
    return () => {
      current = false;
      clearTimeout(timer);
    };
  }, [api, kb, sourceText]);

  const phrasingLimit = curatedLimits.questions - (fixedQuestion === undefined ? 0 : 1);
  const phrasingId = (key: number) => `curated-phrasing-${key}`;
  const errorId = 'curated-form-error';
  const invalidProps = (name: FieldName, key?: number, hint?: string) =>
    invalid?.name === name && (key === undefined || invalid.key === undefined || invalid.key === key)
      ? { 'aria-invalid': true as const, 'aria-describedby': [errorId, hint].filter(Boolean).join(' ') }
      : hint
        ? { 'aria-describedby': hint }
        : {};

  const addPhrasing = () => {
    if (phrasings.length >= phrasingLimit) return;
    const added = phrasing('');
    setPhrasings((list) => [...list, added]);
    focusWhenShown(phrasingId(added.key));
  };
  const removePhrasing = (index: number) => {
    const rest = phrasings.filter((_, at) => at !== index);
    setPhrasings(rest);
    const next = rest[index] ?? rest[index - 1];
    focusWhenShown(next ? phrasingId(next.key) : 'curated-add-phrasing');
  };
  const setPhrasing = (index: number, text: string) =>
    setPhrasings((list) => list.map((item, at) => (at === index ? { ...item, text } : item)));
  /** A pasted block of lines: the first line goes where the caret is, each other line into a new field after it. */
  const pasteLines = (index: number, event: ClipboardEvent & { currentTarget: HTMLInputElement }) => {
    const lines = (event.clipboardData?.getData('text') ?? '')
      .split(/\r?\n/)
      .map((line) => line.trim())
      .filter(Boolean);
    if (lines.length < 2) return;
    event.preventDefault();
    const field = event.currentTarget;
    const merged = field.value.slice(0, field.selectionStart ?? field.value.length) + lines[0] + field.value.slice(field.selectionEnd ?? field.value.length);
    const room = Math.max(0, phrasingLimit - phrasings.length);
    const added = lines.slice(1, 1 + room).map(phrasing);
    setPhrasings((list) => [...list.slice(0, index), { ...list[index]!, text: merged }, ...added, ...list.slice(index + 1)]);
    focusWhenShown(phrasingId((added[added.length - 1] ?? phrasings[index]!).key));
  };

  const addSource = () => {
    const source = sourceText.trim();
    if (!source) return;
    setSources((list) => (list.includes(source) || list.length >= curatedLimits.citations ? list : [...list, source]));
    setSourceText('');
  };
  const removeSource = (source: string) => {
    setSources((list) => list.filter((item) => item !== source));
    focusWhenShown('curated-source');
  };

  const submit = async (event: Event) => {
    event.preventDefault();
    if (busy) return;
    setBusy(true);
    setError(null);
    setInvalid(null);
    // Empty fields are left out, so the index of a phrasing the server names is its index among the sent ones.
    const sent = phrasings.map((item) => ({ key: item.key, text: item.text.trim() })).filter((item) => item.text);
    const typedSource = sourceText.trim();
    const citations = [...sources, ...(typedSource && !sources.includes(typedSource) ? [typedSource] : [])].map((source) => ({ source }));
    const fields = { answer, citations, tags: tagList(tags), enabled };
    const questions = sent.map((item) => item.text);
    try {
      const saved = stored
        ? await api.updateCurated(kb, stored.id, { questions, ...fields })
        : await api.createCurated(kb, {
            // With fromAnswerId the phrasings are optional: its question is the first.
            ...(questions.length > 0 || !draft?.fromAnswerId ? { questions } : {}),
            ...fields,
            ...(draft?.fromAnswerId ? { fromAnswerId: draft.fromAnswerId } : {}),
          });
      onSaved(saved, !stored);
    } catch (caught) {
      setError(caught);
      const field = invalidField(caught);
      const key = field?.name === 'questions' && field.index !== undefined ? sent[field.index]?.key : undefined;
      setInvalid(field ? { name: field.name, ...(key === undefined ? {} : { key }) } : null);
      const target =
        field?.name === 'answer'
          ? 'curated-answer'
          : field?.name === 'tags'
            ? 'curated-tags'
            : field?.name === 'citations'
              ? 'curated-source'
              : field?.name === 'questions'
                ? phrasings.length > 0
                  ? phrasingId(key ?? phrasings[0]!.key)
                  : 'curated-add-phrasing'
                : errorId;
      focusWhenShown(target);
    } finally {
      setBusy(false);
    }
  };

  const title = stored ? t.editHeading : draft?.fromAnswerId ? t.createFromRatedDown : draft ? t.createFromUnanswered : t.createHeading;
  const fieldLabel: Record<FieldName, string> = { questions: t.phrasingsLegend, answer: t.answerLabel, citations: t.sourcesLegend, tags: t.tagsLabel };
  return (
    <form
      class="panel curated-form"
      aria-labelledby="curated-form-heading"
      onSubmit={submit}
      onKeyDown={(event) => {
        if (event.key === 'Escape' && !busy) {
          event.preventDefault();
          onCancel();
        }
      }}
      noValidate
    >
      <h3 id="curated-form-heading" tabIndex={-1} ref={heading}>
        {title}
      </h3>
      {draft?.ratedDown && (
        <div class="rated-down-context">
          <p class="small">
            <strong>{t.ratedDownContext}</strong>
          </p>
          <p class="chunk-text">{draft.ratedDown.answer}</p>
          {draft.ratedDown.comment && (
            <p class="small">
              <strong>{t.ratedDownComment}</strong> {draft.ratedDown.comment}
            </p>
          )}
        </div>
      )}
      <fieldset class="phrasings">
        <legend>{t.phrasingsLegend}</legend>
        <p id="curated-phrasings-hint" class="hint">
          {t.phrasingsHint}
        </p>
        {fixedQuestion !== undefined && (
          <div class="phrasing-row fixed">
            <label for="curated-fixed-phrasing">{t.fromAnswerPhrasing}</label>
            <input id="curated-fixed-phrasing" readOnly value={fixedQuestion} />
          </div>
        )}
        {phrasings.map((item, index) => {
          const number = index + 1 + (fixedQuestion === undefined ? 0 : 1);
          return (
            <div class="phrasing-row" key={item.key}>
              <label for={phrasingId(item.key)}>{format(t.phrasingLabel, { index: number })}</label>
              <input
                id={phrasingId(item.key)}
                value={item.text}
                maxLength={curatedLimits.questionChars}
                onInput={(event) => setPhrasing(index, event.currentTarget.value)}
                onPaste={(event) => pasteLines(index, event)}
                {...invalidProps('questions', item.key, index === 0 ? 'curated-phrasings-hint' : undefined)}
              />
              <button
                type="button"
                class="secondary"
                onClick={() => removePhrasing(index)}
                aria-label={format(t.removePhrasingNamed, { index: number })}
                disabled={phrasings.length === 1 && fixedQuestion === undefined}
              >
                {t.removePhrasing}
              </button>
            </div>
          );
        })}
        <button id="curated-add-phrasing" type="button" class="secondary" onClick={addPhrasing} disabled={phrasings.length >= phrasingLimit}>
          {t.addPhrasing}
        </button>
      </fieldset>
      <div class="fields">
        {/* The hint is outside the label: it describes the field, it is not part of its name. */}
        <div class="field wide">
          <label for="curated-answer">{t.answerLabel}</label>
          <textarea
            id="curated-answer"
            rows={8}
            value={answer}
            maxLength={curatedLimits.answerChars}
            onInput={(event) => setAnswer(event.currentTarget.value)}
            {...invalidProps('answer', undefined, 'curated-answer-hint')}
          />
          <span id="curated-answer-hint" class="hint">
            {t.answerHint}
          </span>
        </div>
      </div>
      <fieldset class="sources">
        <legend>{t.sourcesLegend}</legend>
        {sources.length === 0 ? (
          <p class="hint">{t.noSources}</p>
        ) : (
          <ul class="chosen-sources">
            {sources.map((source) => (
              <li key={source}>
                <span class="mono wrap">{source}</span>
                <button type="button" class="secondary" onClick={() => removeSource(source)} aria-label={format(t.removeSourceNamed, { source })}>
                  {t.removeSource}
                </button>
              </li>
            ))}
          </ul>
        )}
        <div class="inline-form">
          <label for="curated-source">{t.sourceLabel}</label>
          <input
            id="curated-source"
            list="curated-source-suggestions"
            value={sourceText}
            autocomplete="off"
            onInput={(event) => setSourceText(event.currentTarget.value)}
            onKeyDown={(event) => {
              // Enter adds the source instead of submitting the form.
              if (event.key === 'Enter') {
                event.preventDefault();
                addSource();
              }
            }}
            {...invalidProps('citations', undefined, 'curated-sources-hint')}
          />
          <datalist id="curated-source-suggestions">
            {suggestions.map((suggestion) => (
              <option key={suggestion.source} value={suggestion.source}>
                {suggestion.title ?? ''}
              </option>
            ))}
          </datalist>
          <button type="button" class="secondary" onClick={addSource} disabled={sources.length >= curatedLimits.citations}>
            {t.addSource}
          </button>
        </div>
        <p id="curated-sources-hint" class="hint">
          {t.sourcesHint}
        </p>
      </fieldset>
      <div class="fields">
        <label class="wide">
          {t.tagsLabel}
          <input id="curated-tags" value={tags} onInput={(event) => setTags(event.currentTarget.value)} {...invalidProps('tags')} />
        </label>
      </div>
      <label class="checkbox">
        <input type="checkbox" checked={enabled} onChange={(event) => setEnabled(event.currentTarget.checked)} />
        {t.enabledLabel}
      </label>
      {error !== null && (
        <div id={errorId} class="error" role="alert" tabIndex={-1}>
          <p>{errorText(messages, error)}</p>
          {invalid && <p>{format(t.fieldHint, { field: fieldLabel[invalid.name] })}</p>}
        </div>
      )}
      <div class="actions">
        <button type="submit" disabled={busy}>
          {busy ? t.saving : stored ? t.save : t.create}
        </button>
        <button type="button" class="secondary" onClick={onCancel}>
          {messages.admin.cancel}
        </button>
      </div>
    </form>
  );
}
