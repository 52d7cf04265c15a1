import { render } from 'preact';
import { pickMessages } from '../shared/i18n/index.ts';

/** Placeholder for the admin console (`/admin`); the console replaces this file. */
const messages = pickMessages(navigator.languages);
document.documentElement.lang = messages.lang;
document.title = messages.admin.pageTitle;

function AdminPlaceholder() {
  return (
    <main class="page">
      <h1>{messages.admin.pageTitle}</h1>
      <p>{messages.admin.placeholder}</p>
    </main>
  );
}

render(<AdminPlaceholder />, document.getElementById('app')!);
