import { useEffect, useRef, useState } from 'preact/hooks';
import type { Messages } from '../shared/i18n/index.ts';

/**
 * The key, asked once per tab: a password field whose label contains "key" (the contract
 * in DESIGN.md). With a key in use it shows only "Forget key". A server without auth needs
 * no key at all; the field then says so.
 */
export function KeyForm({
  messages,
  hasKey,
  required,
  onKey,
}: {
  messages: Messages;
  hasKey: boolean;
  required: boolean;
  onKey: (key: string | undefined) => void;
}) {
  const t = messages.admin;
  const [draft, setDraft] = useState('');
  const field = useRef<HTMLInputElement>(null);
  useEffect(() => {
    if (required) field.current?.focus();
  }, [required]);

  if (hasKey && !required) {
    return (
      <div class="key-form">
        <span>{t.keyInUse}</span>
        <button type="button" class="secondary" onClick={() => onKey(undefined)}>
          {t.forgetKey}
        </button>
      </div>
    );
  }
  return (
    <form
      class="key-form"
      onSubmit={(event) => {
        event.preventDefault();
        // Read from the field: Enter can arrive before the last keystroke's render.
        const key = (field.current?.value ?? draft).trim();
        if (key) onKey(key);
        setDraft('');
      }}
    >
      <label for="api-key">{t.keyLabel}</label>
      <input
        id="api-key"
        ref={field}
        type="password"
        autocomplete="off"
        spellcheck={false}
        value={draft}
        onInput={(event) => setDraft(event.currentTarget.value)}
        aria-describedby="api-key-hint"
      />
      <button type="submit">{t.useKey}</button>
      <span id="api-key-hint" class="hint">
        {required ? t.keyHintRequired : t.keyHintOptional}
      </span>
    </form>
  );
}
