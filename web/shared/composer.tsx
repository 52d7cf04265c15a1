import { useState } from 'preact/hooks';
import type { Messages } from './i18n/index.ts';

/** The question box: Enter sends, Shift+Enter starts a new line. */
export function Composer(props: { messages: Messages; busy: boolean; disabled?: boolean; onAsk: (question: string) => void; onStop: () => void }) {
  const [question, setQuestion] = useState('');
  const { messages } = props;
  const send = () => {
    if (!question.trim() || props.busy || props.disabled) return;
    props.onAsk(question);
    setQuestion('');
  };
  return (
    <form
      class="composer"
      onSubmit={(event) => {
        event.preventDefault();
        send();
      }}
    >
      <label for="question" class="visually-hidden">
        {messages.chat.questionLabel}
      </label>
      <textarea
        id="question"
        rows={2}
        maxLength={4000}
        placeholder={messages.chat.questionPlaceholder}
        value={question}
        disabled={props.disabled}
        onInput={(event) => setQuestion((event.target as HTMLTextAreaElement).value)}
        onKeyDown={(event) => {
          if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
            event.preventDefault();
            send();
          }
        }}
      />
      {props.busy ? (
        <button type="button" class="secondary" onClick={props.onStop}>
          {messages.chat.stop}
        </button>
      ) : (
        <button type="submit" disabled={props.disabled}>
          {messages.chat.send}
        </button>
      )}
    </form>
  );
}
