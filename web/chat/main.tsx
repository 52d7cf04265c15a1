import { render } from 'preact';
import '../shared/answer.css';
import './chat.css';
import { pickMessages } from '../shared/i18n/index.ts';
import { ChatPage } from './chat-page.tsx';

const messages = pickMessages(navigator.languages);
document.documentElement.lang = messages.lang;
document.title = messages.chat.pageTitle;
render(<ChatPage messages={messages} />, document.getElementById('app')!);
