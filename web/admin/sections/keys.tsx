import { useEffect, useRef, useState } from 'preact/hooks';
import type { ApiKey, CreatedKey, KeyScope } from '../../shared/admin-api-types.ts';
import { format } from '../../shared/i18n/index.ts';
import { KbOptions } from '../../shared/kb-options.tsx';
import type { SectionProps } from '../console.tsx';
import { ConfirmInRow, DataTable, ErrorMessage, SectionHeading, Status, formatDate } from '../ui.tsx';

const scopes: KeyScope[] = ['query', 'ingest', 'admin'];

/** API keys (an unbound admin key only): list, create (the secret shown once, with a copy button), revoke. */
export function KeysSection({ api, messages, kbs, focusHeading }: SectionProps) {
  const t = messages.admin.keys;
  const [keys, setKeys] = useState<ApiKey[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [created, setCreated] = useState<CreatedKey | null>(null);
  const [confirming, setConfirming] = useState<string | null>(null);
  const [status, setStatus] = useState('');
  const [reload, setReload] = useState(0);

  useEffect(() => {
    api.listKeys().then(setKeys, setError);
  }, [api, reload]);

  const revoke = async (key: ApiKey) => {
    try {
      await api.revokeKey(key.id);
      setConfirming(null);
      setStatus(format(t.revoked, { prefix: key.prefix }));
      setReload((value) => value + 1);
    } catch (caught) {
      setError(caught);
    }
  };

  return (
    <section aria-labelledby="keys-heading">
      <SectionHeading id="keys-heading" focusOnMount={focusHeading}>
        {messages.admin.sections.keys}
      </SectionHeading>
      <p class="hint">{t.intro}</p>
      <ErrorMessage messages={messages} error={error} />
      {status && <Status>{status}</Status>}
      {created && <NewKey messages={messages} created={created} onDismiss={() => setCreated(null)} />}
      <DataTable
        caption={t.caption}
        columns={[t.prefix, t.name, t.scope, t.kb, t.origins, t.rate, t.lastUsed]}
        actions={messages.admin.kbs.actions}
        rows={keys}
        empty={t.none}
      >
        {(key) => (
          <tr key={key.id}>
            <th scope="row" class="mono">
              {key.prefix}…
            </th>
            <td>{key.name ?? '—'}</td>
            <td>{t.scopes[key.scope]}</td>
            <td>{key.kb ?? t.anyKb}</td>
            <td class="wrap">{key.origins.length > 0 ? key.origins.join(', ') : '—'}</td>
            <td>{key.ratePerMinute ?? t.serverRate}</td>
            <td>{formatDate(messages.lang, key.lastUsedAt)}</td>
            <td class="row-actions">
              {key.revokedAt ? (
                <span>{format(t.revokedAt, { date: formatDate(messages.lang, key.revokedAt) })}</span>
              ) : (
                <ConfirmInRow
                  messages={messages}
                  confirming={confirming === key.id}
                  onAsk={() => setConfirming(key.id)}
                  onCancel={() => setConfirming(null)}
                  onConfirm={() => void revoke(key)}
                  action={t.revoke}
                  actionLabel={format(t.revokeNamed, { prefix: key.prefix })}
                  confirmLabel={format(t.confirmRevoke, { prefix: key.prefix })}
                />
              )}
            </td>
          </tr>
        )}
      </DataTable>
      <CreateKey
        {...{ api, messages, kbs }}
        onCreated={(key) => {
          setCreated(key);
          setReload((value) => value + 1);
        }}
      />
    </section>
  );
}

function CreateKey({ api, messages, kbs, onCreated }: Pick<SectionProps, 'api' | 'messages' | 'kbs'> & { onCreated: (key: CreatedKey) => void }) {
  const t = messages.admin.keys;
  const [scope, setScope] = useState<KeyScope>('query');
  const [kb, setKb] = useState('');
  const [origins, setOrigins] = useState('');
  const [rate, setRate] = useState('');
  const [name, setName] = useState('');
  const [error, setError] = useState<unknown>(null);

  const submit = async (event: Event) => {
    event.preventDefault();
    setError(null);
    const originList = origins
      .split(/[\s,]+/)
      .map((origin) => origin.trim())
      .filter(Boolean);
    try {
      const created = await api.createKey({
        scope,
        ...(kb ? { kb } : {}),
        ...(originList.length > 0 ? { origins: originList } : {}),
        ...(rate ? { ratePerMinute: Number(rate) } : {}),
        ...(name.trim() ? { name: name.trim() } : {}),
      });
      setOrigins('');
      setRate('');
      setName('');
      onCreated(created);
    } catch (caught) {
      setError(caught);
    }
  };

  return (
    <form class="panel" onSubmit={submit} aria-labelledby="key-create-heading">
      <h3 id="key-create-heading">{t.createHeading}</h3>
      <div class="fields">
        <label>
          {t.name}
          <input value={name} maxLength={200} onInput={(event) => setName(event.currentTarget.value)} />
        </label>
        {/* A select's label is tied by id, not by wrapping: a wrapping label's name would include the options' text. */}
        <div class="field">
          <label for="key-scope">{t.scope}</label>
          <select id="key-scope" value={scope} onChange={(event) => setScope(event.currentTarget.value as KeyScope)}>
            {scopes.map((value) => (
              <option key={value} value={value}>
                {t.scopes[value]}
              </option>
            ))}
          </select>
        </div>
        <div class="field">
          <label for="key-kb">{t.kb}</label>
          <select id="key-kb" value={kb} onChange={(event) => setKb(event.currentTarget.value)}>
            <option value="">{t.anyKb}</option>
            <KbOptions kbs={kbs} />
          </select>
        </div>
        <label>
          {t.rate}
          <input type="number" min={1} max={1000000} value={rate} placeholder={t.serverRate} onInput={(event) => setRate(event.currentTarget.value)} />
        </label>
        <label class="wide">
          {t.origins}
          <textarea rows={2} value={origins} placeholder="https://help.example.com" aria-describedby="key-origins-hint" onInput={(event) => setOrigins(event.currentTarget.value)} />
        </label>
      </div>
      <p id="key-origins-hint" class="hint">
        {t.originsHint}
      </p>
      <button type="submit">{t.create}</button>
      <ErrorMessage messages={messages} error={error} />
    </form>
  );
}

/** The new key's secret, shown this once: only its hash is stored. */
function NewKey({ messages, created, onDismiss }: { messages: SectionProps['messages']; created: CreatedKey; onDismiss: () => void }) {
  const t = messages.admin.keys;
  const [copied, setCopied] = useState(false);
  const field = useRef<HTMLInputElement>(null);
  useEffect(() => field.current?.focus(), []);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(created.key);
      setCopied(true);
    } catch {
      // No clipboard permission: select the text so Ctrl+C copies it.
      field.current?.select();
    }
  };
  return (
    <div class="panel new-key" role="region" aria-labelledby="new-key-heading">
      <h3 id="new-key-heading">{t.newKeyHeading}</h3>
      <p>{t.newKeyWarning}</p>
      <div class="inline-form">
        <label for="new-key-secret">{t.secretLabel}</label>
        <input id="new-key-secret" ref={field} class="mono" readOnly value={created.key} onFocus={(event) => event.currentTarget.select()} />
        <button type="button" onClick={() => void copy()}>
          {copied ? t.copied : t.copy}
        </button>
        <button type="button" class="secondary" onClick={onDismiss}>
          {t.done}
        </button>
      </div>
      {copied && <Status>{t.copied}</Status>}
    </div>
  );
}
