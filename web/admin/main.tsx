import { render } from 'preact';
import { pickMessages } from '../shared/i18n/index.ts';
import { Console } from './console.tsx';
import './admin.css';

/** The admin console (`/admin`): English or Chinese from the browser's languages. */
const messages = pickMessages(navigator.languages);
document.documentElement.lang = messages.lang;
document.title = messages.admin.pageTitle;
render(<Console messages={messages} />, document.getElementById('app')!);
