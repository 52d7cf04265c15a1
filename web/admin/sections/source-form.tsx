import { useEffect, useRef, useState } from 'preact/hooks';
import { sourceTypes, type CreateSourceRequest, type Source, type SourceType, type UpdateSourceRequest } from '../../shared/admin-api-types.ts';
import { ApiError } from '../../shared/api.ts';
import { format } from '../../shared/i18n/index.ts';
import type { SectionProps } from '../console.tsx';
import { Status, errorText } from '../ui.tsx';
import { useFocusWhenShown } from './curated-form.tsx';

/** What the form opens with: a new source, or a stored one to change. */
export type SourceFormStart = { kind: 'new' } | { kind: 'edit'; source: Source };

/**
 * How a config field is entered: `lines` is a list, one item a line; `number` is sent as a
 * number when it is one (otherwise as typed, for the server to name); `secret` is a credential,
 * typed in a password field, never filled in from the server (which never returns it).
 */
type FieldKind = 'text' | 'url' | 'email' | 'number' | 'lines' | 'secret';

interface FieldSpec {
  key: string;
  kind: FieldKind;
}

/** Each type's config fields (docs/sources.md), in the order the form shows them. */
export const sourceFieldSpecs: Record<SourceType, readonly FieldSpec[]> = {
  web: [
    { key: 'url', kind: 'url' },
    { key: 'maxPages', kind: 'number' },
    { key: 'maxDepth', kind: 'number' },
    { key: 'include', kind: 'lines' },
    { key: 'exclude', kind: 'lines' },
  ],
  zendesk: [
    { key: 'url', kind: 'url' },
    { key: 'locale', kind: 'text' },
    { key: 'email', kind: 'email' },
    { key: 'token', kind: 'secret' },
  ],
  intercom: [
    { key: 'url', kind: 'url' },
    { key: 'token', kind: 'secret' },
  ],
  confluence: [
    { key: 'url', kind: 'url' },
    { key: 'space', kind: 'text' },
    { key: 'email', kind: 'email' },
    { key: 'token', kind: 'secret' },
  ],
  github: [
    { key: 'repo', kind: 'text' },
    { key: 'ref', kind: 'text' },
    { key: 'path', kind: 'text' },
    { key: 'token', kind: 'secret' },
    { key: 'docsUrl', kind: 'url' },
    { key: 'apiUrl', kind: 'url' },
  ],
};

type Values = Record<string, string>;

/** A stored setting as the text of its field. */
function fieldText(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (Array.isArray(value)) return value.map(String).join('\n');
  return String(value);
}

/** A field's text as the config value to send; undefined when empty. */
function fieldValue(kind: FieldKind, text: string): unknown {
  if (kind === 'lines') {
    const lines = text
      .split(/\r?\n/)
      .map((line) => line.trim())
      .filter(Boolean);
    return lines.length > 0 ? lines : undefined;
  }
  const trimmed = text.trim();
  if (!trimmed) return undefined;
  if (kind === 'number') return /^\d+$/.test(trimmed) ? Number(trimmed) : trimmed;
  return trimmed;
}

const controlId = (key: string) => `source-field-${key}`;
const otherControls: Record<string, string> = { type: 'source-type', name: 'source-name', schedule: 'source-schedule' };

/**
 * The field a 400 names (`details.field`: `config.url`, `schedule`; or the first validation
 * issue's `path`), as the form's own name for it: `config.url`, `name`, `schedule`, `type`.
 * A credential refused for want of ORIOLE_SECRET_KEY is the token's.
 */
function invalidField(error: unknown, type: SourceType): string | undefined {
  if (!(error instanceof ApiError) || error.status !== 400 || !error.details) return undefined;
  if (error.details.variable === 'ORIOLE_SECRET_KEY') return sourceFieldSpecs[type].some((spec) => spec.key === 'token') ? 'config.token' : undefined;
  const issues = error.details.issues as Array<{ path?: unknown }> | undefined;
  const path = typeof error.details.field === 'string' ? error.details.field : issues?.[0]?.path;
  if (typeof path !== 'string') return undefined;
  const [head, key] = path.split('.');
  if (head === 'config') {
    const specs = sourceFieldSpecs[type];
    if (key && specs.some((spec) => spec.key === key)) return `config.${key}`;
    return specs[0] ? `config.${specs[0].key}` : undefined;
  }
  return head && head in otherControls ? head : undefined;
}

function controlOf(field: string): string {
  return field.startsWith('config.') ? controlId(field.slice('config.'.length)) : otherControls[field]!;
}

/** The server's message without the `Invalid request:` and `config.url:` it starts with: shown at that field, those are said already. */
function fieldMessage(error: unknown, path: string): string {
  const message = error instanceof Error ? error.message.replace(/^Invalid request: /, '') : String(error);
  const named = /^([\w.]+): /.exec(message);
  return named && (named[1] === path || named[1]!.startsWith(`${path}.`)) ? message.slice(named[0].length) : message;
}

/**
 * Adding a source, or changing one: its type (new only), name, the type's settings (credentials
 * in password fields, sealed by the server and never shown again; on an edit a token field left
 * empty keeps the stored one and is not sent), and schedule. The server checks everything: its
 * 400 is announced, shown at the field it names, and that field is marked and focused. An edit
 * sends only what changed. Escape cancels.
 */
export function SourceForm({
  api,
  messages,
  kb,
  start,
  onSaved,
  onCancel,
}: Pick<SectionProps, 'api' | 'messages' | 'kb'> & {
  start: SourceFormStart;
  onSaved: (source: Source, created: boolean) => void;
  onCancel: () => void;
}) {
  const t = messages.admin.sources;
  const stored = start.kind === 'edit' ? start.source : undefined;
  const [type, setType] = useState<SourceType>(stored?.type ?? 'web');
  const [name, setName] = useState(stored?.name ?? '');
  const [values, setValues] = useState<Values>(() => {
    const initial: Values = {};
    if (stored) for (const spec of sourceFieldSpecs[stored.type]) initial[spec.key] = spec.kind === 'secret' ? '' : fieldText(stored.config[spec.key]);
    return initial;
  });
  const [schedule, setSchedule] = useState(stored?.schedule ?? '');
  const [error, setError] = useState<unknown>(null);
  /** The field the error names (`config.url`, `schedule`…). */
  const [invalid, setInvalid] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [status, setStatus] = useState('');
  const heading = useRef<HTMLHeadingElement>(null);
  const focusWhenShown = useFocusWhenShown(error);
  const errorId = 'source-form-error';
  const fieldErrorId = 'source-field-error';

  useEffect(() => heading.current?.focus(), []);

  const specs = sourceFieldSpecs[type];
  const labels = t.fields[type] as Record<string, { label: string; hint: string }>;
  const typeName = t.types[type];

  const request = (): CreateSourceRequest | UpdateSourceRequest => {
    if (!stored) {
      const config: Record<string, unknown> = {};
      for (const spec of specs) {
        const value = fieldValue(spec.kind, values[spec.key] ?? '');
        if (value !== undefined) config[spec.key] = value;
      }
      return { type, name: name.trim(), config, ...(schedule.trim() ? { schedule: schedule.trim() } : {}) };
    }
    // Only what changed: an emptied setting is removed (null); a credential only when one was typed.
    const config: Record<string, unknown> = {};
    for (const spec of specs) {
      const value = fieldValue(spec.kind, values[spec.key] ?? '');
      if (spec.kind === 'secret') {
        if (value !== undefined) config[spec.key] = value;
      } else if (JSON.stringify(value ?? null) !== JSON.stringify(stored.config[spec.key] ?? null)) {
        config[spec.key] = value ?? null;
      }
    }
    const changes: UpdateSourceRequest = {};
    if (name.trim() !== stored.name) changes.name = name.trim();
    if (Object.keys(config).length > 0) changes.config = config;
    if ((schedule.trim() || null) !== stored.schedule) changes.schedule = schedule.trim() || null;
    return changes;
  };

  const submit = async (event: Event) => {
    event.preventDefault();
    if (busy) return;
    setError(null);
    setInvalid(null);
    setStatus('');
    const body = request();
    if (stored && Object.keys(body).length === 0) {
      setStatus(t.nothingChanged);
      return;
    }
    setBusy(true);
    try {
      const saved = stored ? await api.updateSource(stored.id, body) : await api.createSource(kb, body as CreateSourceRequest);
      onSaved(saved, !stored);
    } catch (caught) {
      setError(caught);
      const field = invalidField(caught, type);
      setInvalid(field ?? null);
      focusWhenShown(field ? controlOf(field) : errorId);
    } finally {
      setBusy(false);
    }
  };

  /** The props that tie a control to its hints and, when the error names it, to the error. */
  const described = (field: string, ...hints: string[]) => {
    const isInvalid = invalid === field;
    // The error first: it is what changed since the field was filled in.
    const ids = [...(isInvalid ? [fieldErrorId] : []), ...hints];
    return { 'aria-invalid': isInvalid ? ('true' as const) : undefined, 'aria-describedby': ids.length > 0 ? ids.join(' ') : undefined };
  };
  const fieldError = (field: string) =>
    invalid === field && error !== null ? (
      <p class="error-text" id={fieldErrorId}>
        {fieldMessage(error, field)}
      </p>
    ) : null;

  return (
    <form
      class="panel source-form"
      aria-labelledby="source-form-heading"
      onSubmit={submit}
      onKeyDown={(event) => {
        if (event.key === 'Escape' && !busy) {
          event.preventDefault();
          onCancel();
        }
      }}
      noValidate
    >
      <h3 id="source-form-heading" tabIndex={-1} ref={heading}>
        {stored ? format(t.editHeading, { name: stored.name }) : t.createHeading}
      </h3>
      <div class="fields">
        {stored ? (
          <p class="source-type">
            <span>{t.typeLabel}</span> {typeName}
          </p>
        ) : (
          // A select's label is tied by id, not by wrapping: a wrapping label's name would include the options' text.
          <div class="field">
            <label for="source-type">{t.typeLabel}</label>
            <select id="source-type" value={type} onChange={(event) => setType(event.currentTarget.value as SourceType)} {...described('type')}>
              {sourceTypes.map((value) => (
                <option key={value} value={value}>
                  {t.types[value]}
                </option>
              ))}
            </select>
            {fieldError('type')}
          </div>
        )}
        <div class="field">
          <label for="source-name">{t.nameLabel}</label>
          <input
            id="source-name"
            value={name}
            maxLength={100}
            autocomplete="off"
            onInput={(event) => setName(event.currentTarget.value)}
            {...described('name', 'source-name-hint')}
          />
          {fieldError('name')}
          <p class="hint" id="source-name-hint">
            {format(t.nameHint, { kb })}
          </p>
        </div>
      </div>
      <fieldset>
        <legend>{format(t.settingsLegend, { type: typeName })}</legend>
        <div class="fields">
          {specs.map((spec) => {
            const id = controlId(spec.key);
            const field = `config.${spec.key}`;
            const text = labels[spec.key]!;
            const secretStored = spec.kind === 'secret' && Boolean(stored?.credentials.includes(spec.key));
            const label = secretStored ? format(t.replaceSecret, { label: text.label.replace(/^[A-Z](?=[a-z])/, (letter) => letter.toLowerCase()) }) : text.label;
            const hints = [text.hint, spec.kind === 'secret' ? (secretStored ? t.secretStored : t.secretHint) : ''].filter(Boolean);
            const hintId = `${id}-hint`;
            const common = {
              id,
              value: values[spec.key] ?? '',
              onInput: (event: { currentTarget: HTMLInputElement | HTMLTextAreaElement }) => {
                const value = event.currentTarget.value;
                setValues((current) => ({ ...current, [spec.key]: value }));
              },
              ...described(field, ...(hints.length > 0 ? [hintId] : [])),
            };
            return (
              <div class={`field${spec.kind === 'lines' ? ' lines' : ''}`} key={`${type}-${spec.key}`}>
                <label for={id}>{label}</label>
                {spec.kind === 'lines' ? (
                  <textarea {...common} class="mono" rows={3} spellcheck={false} />
                ) : spec.kind === 'secret' ? (
                  <input {...common} type="password" autocomplete="new-password" spellcheck={false} />
                ) : (
                  <input
                    {...common}
                    type="text"
                    inputMode={spec.kind === 'url' ? 'url' : spec.kind === 'email' ? 'email' : spec.kind === 'number' ? 'numeric' : undefined}
                    autocomplete="off"
                    spellcheck={false}
                  />
                )}
                {fieldError(field)}
                {hints.length > 0 && (
                  <p class="hint" id={hintId}>
                    {hints.join(' ')}
                  </p>
                )}
              </div>
            );
          })}
        </div>
      </fieldset>
      <div class="fields">
        <div class="field wide">
          <label for="source-schedule">{t.scheduleLabel}</label>
          <input
            id="source-schedule"
            class="mono"
            value={schedule}
            maxLength={100}
            placeholder="6h"
            autocomplete="off"
            spellcheck={false}
            onInput={(event) => setSchedule(event.currentTarget.value)}
            {...described('schedule', 'source-schedule-hint')}
          />
          {fieldError('schedule')}
          <p class="hint" id="source-schedule-hint">
            {t.scheduleHint}
          </p>
        </div>
      </div>
      {error !== null && (
        <div id={errorId} class="error" role="alert" tabIndex={-1}>
          {format(t.notSaved, { message: errorText(messages, error) })}
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
      <Status>{status}</Status>
    </form>
  );
}
