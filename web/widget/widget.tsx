import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { createApiClient } from '../shared/api.ts';
import { TurnView } from '../shared/answer-view.tsx';
import { Composer } from '../shared/composer.tsx';
import { useConversation } from '../shared/conversation.ts';
import type { WidgetSettings } from './settings.ts';

/** The bubble and, when open, the chat panel; the conversation is kept for the tab. */
export function Widget({ settings }: { settings: WidgetSettings }) {
  const { messages } = settings;
  const [open, setOpen] = useState(false);
  const client = useMemo(() => createApiClient({ baseUrl: settings.apiOrigin, key: () => settings.key }), [settings]);
  const conversation = useConversation({ client, kb: settings.kb, channel: 'widget', storageKey: `oriole.widget.${settings.kb ?? ''}` });
  const panel = useRef<HTMLElement>(null);
  const bubble = useRef<HTMLButtonElement>(null);
  const log = useRef<HTMLDivElement>(null);
  const lastAnswer = conversation.turns.at(-1)?.answer;

  useEffect(() => {
    if (open) panel.current?.querySelector<HTMLTextAreaElement>('textarea')?.focus();
  }, [open]);
  useEffect(() => {
    if (log.current) log.current.scrollTop = log.current.scrollHeight;
  }, [conversation.turns.length, lastAnswer, open]);

  const close = () => {
    setOpen(false);
    bubble.current?.focus();
  };
  const style = settings.accent ? { '--accent': settings.accent.color, '--accent-ink': settings.accent.ink } : undefined;
  return (
    <div class={`widget ${settings.position}`} lang={messages.lang} style={style}>
      {open && (
        <section
          ref={panel}
          class="panel"
          role="dialog"
          aria-label={messages.widget.panelLabel}
          id="oriole-panel"
          onKeyDown={(event) => {
            if (event.key === 'Escape') close();
          }}
        >
          <header class="panel-header">
            <h2>{settings.title}</h2>
            <div class="panel-actions">
              <button type="button" class="secondary small" onClick={() => conversation.reset()} disabled={conversation.turns.length === 0}>
                {messages.chat.newConversation}
              </button>
              <button type="button" class="icon" aria-label={messages.widget.close} title={messages.widget.close} onClick={close}>
                ×
              </button>
            </div>
          </header>
          <div class="panel-log" role="log" ref={log}>
            {conversation.turns.length === 0 && <p class="muted empty">{messages.chat.empty}</p>}
            {conversation.turns.map((turn) => (
              <TurnView key={turn.id} turn={turn} messages={messages} client={client} idPrefix="oriole" />
            ))}
          </div>
          <Composer messages={messages} busy={conversation.busy} onAsk={(question) => void conversation.ask(question)} onStop={() => conversation.stop()} />
        </section>
      )}
      <button
        ref={bubble}
        type="button"
        class="bubble"
        aria-label={open ? messages.widget.close : messages.widget.open}
        aria-expanded={open}
        aria-controls="oriole-panel"
        onClick={() => (open ? close() : setOpen(true))}
      >
        <svg viewBox="0 0 24 24" width="28" height="28" aria-hidden="true" focusable="false">
          {open ? (
            <path d="M6 6l12 12M18 6L6 18" stroke="currentColor" stroke-width="2.5" stroke-linecap="round" fill="none" />
          ) : (
            <path d="M4 5h16v11H9l-5 4z" stroke="currentColor" stroke-width="2" stroke-linejoin="round" fill="none" />
          )}
        </svg>
      </button>
    </div>
  );
}
