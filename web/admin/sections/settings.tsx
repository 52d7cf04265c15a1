import type { ComponentChildren } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { abstentionLanguages, kbSettingsBounds, type AnswerLanguageSetting, type KbSettingsResponse } from '../../shared/admin-api-types.ts';
import { ApiError } from '../../shared/api.ts';
import { format, type Messages } from '../../shared/i18n/index.ts';
import type { SectionProps } from '../console.tsx';
import { draftFrom, patchFrom, type DraftProblem, type SettingsDraft } from '../settings-draft.ts';
import { ErrorMessage, SectionHeading, Status, errorText } from '../ui.tsx';

const answerLanguages: AnswerLanguageSetting[] = ['question', 'en', 'zh'];

/** The form's fields by the path the server's issues name them with, and the id of the control each focuses. */
const controlIds: Record<string, string> = {
  persona: 'settings-persona',
  'abstentionMessage.en': 'settings-abstention-en',
  'abstentionMessage.zh': 'settings-abstention-zh',
  abstentionMessage: 'settings-abstention-en',
  'handoff.url': 'settings-handoff-url',
  'handoff.email': 'settings-handoff-email',
  'handoff.label': 'settings-handoff-label',
  handoff: 'settings-handoff-url',
  answerLanguage: 'settings-answer-language',
  topK: 'settings-top-k',
  curatedThreshold: 'settings-curated-threshold',
  minConfidence: 'settings-min-confidence',
  'filters.sources': 'settings-filter-sources',
  'filters.tags': 'settings-filter-tags',
  filters: 'settings-filter-sources',
};

/** The field an issue's path belongs to: the longest known path it starts with (`handoff.url`, `filters.tags.x` → `filters.tags`). */
function fieldOf(path: string): string | undefined {
  return Object.keys(controlIds)
    .filter((field) => path === field || path.startsWith(`${field}.`))
    .sort((a, b) => b.length - a.length)[0];
}

type FieldErrors = Record<string, string[]>;

/** Every field a 400 names (its `details.issues`: `{path: 'handoff.url', message}`), so each shows by its field. */
function validationIssues(error: unknown): Array<{ path: string; message: string }> {
  if (!(error instanceof ApiError) || error.status !== 400) return [];
  const issues = error.details?.issues;
  if (!Array.isArray(issues)) return [];
  return issues.filter(
    (issue): issue is { path: string; message: string } =>
      typeof (issue as { path?: unknown } | null)?.path === 'string' && typeof (issue as { message?: unknown }).message === 'string',
  );
}

function problemText(messages: Messages, problem: DraftProblem): string {
  const t = messages.admin.settings;
  return problem.problem === 'badTag' ? format(t.badTag, { line: problem.line }) : t.notANumber;
}

/**
 * A KB's answer settings (GET/PATCH /kbs/:name/settings) as a form. Save sends only what
 * changed; an emptied field is unset. The server's 400 is shown at each field it names and
 * announced; a save is announced, with the settings version it made.
 */
export function SettingsSection({ api, messages, kb, focusHeading }: SectionProps) {
  const t = messages.admin.settings;
  const [stored, setStored] = useState<KbSettingsResponse | null>(null);
  const [draft, setDraft] = useState<SettingsDraft | null>(null);
  const [loadError, setLoadError] = useState<unknown>(null);
  const [formError, setFormError] = useState('');
  const [fieldErrors, setFieldErrors] = useState<FieldErrors>({});
  const [status, setStatus] = useState('');
  const [saving, setSaving] = useState(false);
  /** Set by a save, cleared by the next edit of the form's state: the chat link then shows the change is live. */
  const [savedVersion, setSavedVersion] = useState<number | null>(null);

  useEffect(() => {
    let current = true;
    api.kbSettings(kb).then(
      (loaded) => {
        if (!current) return;
        setStored(loaded);
        setDraft(draftFrom(loaded.settings));
      },
      (caught: unknown) => current && setLoadError(caught),
    );
    return () => {
      current = false;
    };
  }, [api, kb]);

  const edit = (change: Partial<SettingsDraft>) => setDraft((value) => (value ? { ...value, ...change } : value));

  /** Shows each error at its field and puts focus on the first one's control. */
  const showFieldErrors = (errors: FieldErrors) => {
    setFieldErrors(errors);
    const first = Object.keys(controlIds).find((field) => errors[field]);
    if (first) requestAnimationFrame(() => document.getElementById(controlIds[first]!)?.focus());
  };

  const save = async (event: Event) => {
    event.preventDefault();
    if (!stored || !draft || saving) return;
    setStatus('');
    setFormError('');
    setFieldErrors({});
    setSavedVersion(null);
    const { patch, problems } = patchFrom(stored.settings, draft);
    if (problems.length > 0) {
      const errors: FieldErrors = {};
      for (const problem of problems) (errors[problem.path] ??= []).push(problemText(messages, problem));
      setFormError(format(t.notSaved, { message: t.fixFields }));
      showFieldErrors(errors);
      return;
    }
    if (Object.keys(patch).length === 0) {
      setStatus(t.nothingToSave);
      return;
    }
    setSaving(true);
    try {
      const saved = await api.updateKbSettings(kb, patch);
      setStored(saved);
      setDraft(draftFrom(saved.settings));
      setStatus(format(t.saved, { version: saved.version, kb }));
      setSavedVersion(saved.version);
    } catch (caught) {
      setFormError(format(t.notSaved, { message: errorText(messages, caught) }));
      const errors: FieldErrors = {};
      for (const issue of validationIssues(caught)) {
        const field = fieldOf(issue.path);
        if (field) (errors[field] ??= []).push(issue.message);
      }
      showFieldErrors(errors);
    } finally {
      setSaving(false);
    }
  };

  const undo = () => {
    if (!stored) return;
    setDraft(draftFrom(stored.settings));
    setFieldErrors({});
    setFormError('');
    setStatus('');
    setSavedVersion(null);
  };

  /** The props that tie a control to its hint and its errors. */
  const described = (field: string, ...hints: string[]) => {
    const invalid = Boolean(fieldErrors[field]);
    const ids = [...hints, ...(invalid ? [errorId(field)] : [])];
    return { 'aria-invalid': invalid ? ('true' as const) : undefined, 'aria-describedby': ids.length > 0 ? ids.join(' ') : undefined };
  };
  /** A fieldset's: its hint and the errors of the whole group (aria-invalid is not a group's attribute). */
  const groupDescribed = (field: string, hint: string) => ({ 'aria-describedby': [hint, ...(fieldErrors[field] ? [errorId(field)] : [])].join(' ') });
  const errorsOf = (field: string) => <FieldError field={field} errors={fieldErrors[field]} />;

  return (
    <section aria-labelledby="settings-heading">
      <SectionHeading id="settings-heading" focusOnMount={focusHeading}>
        {format(t.heading, { kb })}
      </SectionHeading>
      <p class="hint">{format(t.intro, { kb })}</p>
      <ErrorMessage messages={messages} error={loadError} />
      {!draft && !loadError && <Status>{messages.admin.loading}</Status>}
      {draft && stored && (
        <form class="settings-form" onSubmit={save} noValidate aria-labelledby="settings-heading">
          <p class="hint">{format(t.version, { version: stored.version })}</p>

          <fieldset class="panel">
            <legend>{t.voiceHeading}</legend>
            <div class="field">
              <label for="settings-persona">{t.persona}</label>
              <textarea
                id="settings-persona"
                rows={4}
                value={draft.persona}
                maxLength={kbSettingsBounds.personaChars}
                {...described('persona', 'settings-persona-hint', 'settings-persona-count')}
                onInput={(event) => edit({ persona: event.currentTarget.value })}
              />
              <p class="hint counter" id="settings-persona-count">
                {format(t.characters, { count: draft.persona.length, max: kbSettingsBounds.personaChars })}
              </p>
              {errorsOf('persona')}
              <p class="hint" id="settings-persona-hint">
                {t.personaHint}
              </p>
            </div>
          </fieldset>

          <fieldset class="panel" {...groupDescribed('abstentionMessage', 'settings-abstention-hint')}>
            <legend>{t.abstentionHeading}</legend>
            <p class="hint" id="settings-abstention-hint">
              {t.abstentionHint}
            </p>
            {errorsOf('abstentionMessage')}
            {abstentionLanguages.map((language) => (
              <div class="field" key={language}>
                <label for={`settings-abstention-${language}`}>{t.abstentionLanguages[language]}</label>
                <textarea
                  id={`settings-abstention-${language}`}
                  lang={language}
                  rows={2}
                  value={draft.abstentionMessage[language]}
                  maxLength={kbSettingsBounds.abstentionMessageChars}
                  {...described(`abstentionMessage.${language}`)}
                  onInput={(event) => edit({ abstentionMessage: { ...draft.abstentionMessage, [language]: event.currentTarget.value } })}
                />
                {errorsOf(`abstentionMessage.${language}`)}
              </div>
            ))}
            <p class="hint">{t.abstentionLanguagesNote}</p>
          </fieldset>

          <fieldset class="panel" {...groupDescribed('handoff', 'settings-handoff-hint')}>
            <legend>{t.handoffHeading}</legend>
            <p class="hint" id="settings-handoff-hint">
              {t.handoffHint}
            </p>
            {errorsOf('handoff')}
            <div class="fields">
              <TextField
                id="settings-handoff-url"
                label={t.handoffUrl}
                inputMode="url"
                value={draft.handoffUrl}
                maxLength={kbSettingsBounds.handoffUrlChars}
                described={described('handoff.url')}
                onValue={(handoffUrl) => edit({ handoffUrl })}
              >
                {errorsOf('handoff.url')}
              </TextField>
              <TextField
                id="settings-handoff-email"
                label={t.handoffEmail}
                inputMode="email"
                value={draft.handoffEmail}
                maxLength={kbSettingsBounds.handoffEmailChars}
                described={described('handoff.email')}
                onValue={(handoffEmail) => edit({ handoffEmail })}
              >
                {errorsOf('handoff.email')}
              </TextField>
              <TextField
                id="settings-handoff-label"
                label={t.handoffLabel}
                value={draft.handoffLabel}
                maxLength={kbSettingsBounds.handoffLabelChars}
                described={described('handoff.label')}
                onValue={(handoffLabel) => edit({ handoffLabel })}
              >
                {errorsOf('handoff.label')}
              </TextField>
            </div>
          </fieldset>

          <fieldset class="panel">
            <legend>{t.retrievalHeading}</legend>
            <div class="fields wide-columns">
              {/* A select's label is tied by id, not by wrapping: a wrapping label's name would include the options' text. */}
              <div class="field">
                <label for="settings-answer-language">{t.answerLanguage}</label>
                <select
                  id="settings-answer-language"
                  value={draft.answerLanguage}
                  {...described('answerLanguage')}
                  onChange={(event) => edit({ answerLanguage: event.currentTarget.value as AnswerLanguageSetting })}
                >
                  {answerLanguages.map((language) => (
                    <option key={language} value={language}>
                      {t.answerLanguages[language]}
                    </option>
                  ))}
                </select>
                {errorsOf('answerLanguage')}
              </div>
              {/* Numbers in text fields (inputmode shows a number pad): a type=number field reads '' for what it cannot parse, which would unset the setting. */}
              <TextField
                id="settings-top-k"
                label={t.topK}
                inputMode="numeric"
                value={draft.topK}
                described={described('topK', 'settings-top-k-hint')}
                onValue={(topK) => edit({ topK })}
              >
                {errorsOf('topK')}
                <p class="hint" id="settings-top-k-hint">
                  {t.topKHint}
                </p>
              </TextField>
              <TextField
                id="settings-curated-threshold"
                label={t.curatedThreshold}
                inputMode="decimal"
                value={draft.curatedThreshold}
                described={described('curatedThreshold', 'settings-curated-threshold-hint')}
                onValue={(curatedThreshold) => edit({ curatedThreshold })}
              >
                {errorsOf('curatedThreshold')}
                <p class="hint" id="settings-curated-threshold-hint">
                  {t.curatedThresholdHint}
                </p>
              </TextField>
              <TextField
                id="settings-min-confidence"
                label={t.minConfidence}
                inputMode="decimal"
                value={draft.minConfidence}
                described={described('minConfidence', 'settings-min-confidence-hint')}
                onValue={(minConfidence) => edit({ minConfidence })}
              >
                {errorsOf('minConfidence')}
                <p class="hint" id="settings-min-confidence-hint">
                  {t.minConfidenceHint}
                </p>
              </TextField>
            </div>
          </fieldset>

          <fieldset class="panel" {...groupDescribed('filters', 'settings-filters-hint')}>
            <legend>{t.filtersHeading}</legend>
            <p class="hint" id="settings-filters-hint">
              {t.filtersHint}
            </p>
            {errorsOf('filters')}
            <div class="fields">
              <div class="field">
                <label for="settings-filter-sources">{t.filterSources}</label>
                <textarea
                  id="settings-filter-sources"
                  class="mono"
                  rows={3}
                  value={draft.filterSources}
                  {...described('filters.sources')}
                  onInput={(event) => edit({ filterSources: event.currentTarget.value })}
                />
                {errorsOf('filters.sources')}
              </div>
              <div class="field">
                <label for="settings-filter-tags">{t.filterTags}</label>
                <textarea
                  id="settings-filter-tags"
                  class="mono"
                  rows={3}
                  value={draft.filterTags}
                  placeholder="product=sdk"
                  {...described('filters.tags')}
                  onInput={(event) => edit({ filterTags: event.currentTarget.value })}
                />
                {errorsOf('filters.tags')}
              </div>
            </div>
          </fieldset>

          <div class="actions">
            <button type="submit" aria-disabled={saving ? 'true' : undefined}>
              {saving ? t.saving : t.save}
            </button>
            <button type="button" class="secondary" onClick={undo}>
              {t.undo}
            </button>
          </div>
          {formError && (
            <p class="error" role="alert">
              {formError}
            </p>
          )}
          {/* Always in the page, so a screen reader hears each new status. */}
          <Status>{status}</Status>
          {savedVersion !== null && (
            <p>
              <a href="/">{t.tryLink}</a>
            </p>
          )}
        </form>
      )}
    </section>
  );
}

function errorId(field: string): string {
  return `settings-error-${field.replace(/\./g, '-')}`;
}

/** A field's errors, tied to its control by aria-describedby; the form's alert announces them. */
function FieldError({ field, errors }: { field: string; errors: string[] | undefined }) {
  if (!errors) return null;
  return (
    <p class="error-text" id={errorId(field)}>
      {errors.join(' ')}
    </p>
  );
}

function TextField({
  id,
  label,
  value,
  inputMode,
  maxLength,
  described,
  onValue,
  children,
}: {
  id: string;
  label: string;
  value: string;
  /** Text fields all: the keyboard a phone shows is the input mode's; what is valid is the server's to say. */
  inputMode?: 'numeric' | 'decimal' | 'url' | 'email';
  maxLength?: number;
  described: { 'aria-invalid': 'true' | undefined; 'aria-describedby': string | undefined };
  onValue: (value: string) => void;
  children?: ComponentChildren;
}) {
  return (
    <div class="field">
      <label for={id}>{label}</label>
      <input
        id={id}
        type="text"
        inputMode={inputMode}
        value={value}
        maxLength={maxLength}
        autocomplete="off"
        {...described}
        onInput={(event) => onValue(event.currentTarget.value)}
      />
      {children}
    </div>
  );
}
