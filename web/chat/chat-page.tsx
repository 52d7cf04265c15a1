import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { ApiError, createApiClient } from '../shared/api.ts';
import type { KnowledgeBase } from '../shared/api-types.ts';
import { TurnView } from '../shared/answer-view.tsx';
import { Composer } from '../shared/composer.tsx';
import { useConversation } from '../shared/conversation.ts';
import { format, type Messages } from '../shared/i18n/index.ts';
import { KbOptions } from '../shared/kb-options.tsx';

/** Kept for the tab only: closing it forgets the key. Never in a URL. */
const keyStorage = 'oriole.key';

/** `/`: pick a knowledge base, ask, watch the cited answer stream in, follow up, rate. */
export function ChatPage({ messages }: { messages: Messages }) {
  const [key, setKey] = useState<string | undefined>(() => sessionStorage.getItem(keyStorage) ?? undefined);
  const keyRef = useRef(key);
  keyRef.current = key;
  const client = useMemo(() => createApiClient({ baseUrl: '', key: () => keyRef.current }), []);
  const [kbs, setKbs] = useState<KnowledgeBase[] | undefined>();
  const [kb, setKb] = useState<string | undefined>();
  const [needsKey, setNeedsKey] = useState(false);
  const [loadError, setLoadError] = useState<string | undefined>();
  const conversation = useConversation({ client, kb, channel: 'web' });

  useEffect(() => {
    const controller = new AbortController();
    setLoadError(undefined);
    client
      .listKbs(controller.signal)
      .then((list) => {
        setNeedsKey(false);
        setKbs(list);
        setKb((current) => current ?? (list.find((entry) => entry.name === 'default') ?? list[0])?.name);
      })
      .catch((error: unknown) => {
        if (controller.signal.aborted) return;
        if (error instanceof ApiError && error.status === 401) setNeedsKey(true);
        else setLoadError((error as Error).message);
      });
    return () => controller.abort();
  }, [client, key]);

  return (
    <div class="chat">
      <header class="bar">
        <h1>{messages.chat.heading}</h1>
        <div class="bar-controls">
          {kbs && kbs.length > 0 && (
            <label class="field">
              <span>{messages.chat.kbLabel}</span>
              <select value={kb} onChange={(event) => setKb((event.target as HTMLSelectElement).value)}>
                <KbOptions kbs={kbs} />
              </select>
            </label>
          )}
          <button type="button" class="secondary" onClick={() => conversation.reset()} disabled={conversation.turns.length === 0}>
            {messages.chat.newConversation}
          </button>
        </div>
      </header>
      {(needsKey || key) && (
        <KeyForm
          messages={messages}
          hasKey={Boolean(key)}
          onKey={(value) => {
            if (value) sessionStorage.setItem(keyStorage, value);
            else sessionStorage.removeItem(keyStorage);
            setKey(value);
          }}
        />
      )}
      {loadError && (
        <p class="error" role="alert">
          {format(messages.answer.error, { message: loadError })}
        </p>
      )}
      <main class="log">
        <div role="log" aria-label={messages.chat.heading}>
          {conversation.turns.length === 0 && <p class="muted empty">{messages.chat.empty}</p>}
          {conversation.turns.map((turn) => (
            <TurnView key={turn.id} turn={turn} messages={messages} client={client} idPrefix="chat" />
          ))}
        </div>
      </main>
      <Composer
        messages={messages}
        busy={conversation.busy}
        disabled={needsKey && !key}
        onAsk={(question) => void conversation.ask(question)}
        onStop={() => conversation.stop()}
      />
    </div>
  );
}

function KeyForm(props: { messages: Messages; hasKey: boolean; onKey: (key: string | undefined) => void }) {
  const [value, setValue] = useState('');
  const { messages } = props;
  if (props.hasKey) {
    return (
      <div class="key-form">
        <button type="button" class="secondary" onClick={() => props.onKey(undefined)}>
          {messages.chat.forgetKey}
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
        const typed = (event.currentTarget.querySelector('input')?.value ?? value).trim();
        if (typed) props.onKey(typed);
      }}
    >
      <label class="field">
        <span>{messages.chat.keyLabel}</span>
        <input type="password" autocomplete="off" spellcheck={false} value={value} onInput={(event) => setValue((event.target as HTMLInputElement).value)} />
      </label>
      <button type="submit">{messages.chat.saveKey}</button>
      <p class="muted">{messages.chat.keyHint}</p>
    </form>
  );
}
