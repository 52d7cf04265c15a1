import type { Messages } from '../shared/i18n/index.ts';

export function ChatPage({ messages }: { messages: Messages }) {
  return (
    <main class="page">
      <h1>{messages.chat.heading}</h1>
    </main>
  );
}
