import { useState } from 'preact/hooks';
import type { ApiClient } from './api.ts';
import type { AnswerHandoff, Citation } from './api-types.ts';
import { isWebUrl, parseAnswer, plainAnswer, type Inline } from './answer-markup.ts';
import type { Turn } from './conversation.ts';
import { format, reasonText, type Messages } from './i18n/index.ts';

/**
 * One question and its answer: the answer's text with its `[n]` markers as links to the
 * sources below it, the sources (title, heading, snippet, link out when http(s);
 * unsupported ones marked), an abstention with its reason and a hand-off hint, then copy
 * and rating. Shared by the chat page and the widget. All document and model text is
 * rendered as text nodes.
 */
export function TurnView(props: { turn: Turn; messages: Messages; client: ApiClient; idPrefix: string }) {
  const { turn, messages } = props;
  const abstained = turn.response?.abstained === true;
  const handoff = turn.response?.handoff;
  const sourceId = (index: number) => `${props.idPrefix}-${turn.id}-source-${index}`;
  return (
    <article class="turn" aria-busy={turn.status === 'streaming'}>
      <p class="question">
        <span class="visually-hidden">{messages.chat.you}: </span>
        {turn.question}
      </p>
      <div class={abstained ? 'answer abstained' : 'answer'}>
        {abstained && <p class="abstained-title">{messages.answer.abstained}</p>}
        {turn.status === 'streaming' && turn.answer === '' && <p class="muted">{messages.chat.thinking}</p>}
        <AnswerText text={turn.answer} citations={turn.citations} messages={messages} sourceId={sourceId} />
        {abstained && (
          <div class="abstention-details">
            {turn.response?.reason && (
              <p>
                {messages.answer.reasonLabel} {reasonText(messages, turn.response.reason)}
              </p>
            )}
            {!hasContact(handoff) && <p>{messages.answer.handoff}</p>}
          </div>
        )}
        {hasContact(handoff) && <HandoffLinks handoff={handoff} messages={messages} />}
        {turn.status === 'error' && (
          <p class="error" role="alert">
            {format(messages.answer.error, { message: turn.error ?? '' })}
          </p>
        )}
        {turn.status === 'stopped' && <p class="muted">{messages.answer.stopped}</p>}
      </div>
      {turn.citations.length > 0 && <SourceList citations={turn.citations} messages={messages} sourceId={sourceId} />}
      {turn.status === 'done' && turn.response && (
        <div class="actions">
          <CopyButton text={plainAnswer(turn.answer)} messages={messages} />
          <Feedback answerId={turn.response.answerId} client={props.client} messages={messages} />
        </div>
      )}
    </article>
  );
}

function hasContact(handoff: AnswerHandoff | undefined): handoff is AnswerHandoff {
  return handoff !== undefined && ((handoff.url !== undefined && isWebUrl(handoff.url)) || handoff.email !== undefined);
}

/** The KB's contact for a person (its hand-off setting): a link out and a mail link. */
function HandoffLinks(props: { handoff: AnswerHandoff; messages: Messages }) {
  const { url, email, label } = props.handoff;
  return (
    <p class="handoff">
      {url && isWebUrl(url) && (
        <a href={url} target="_blank" rel="noopener noreferrer">
          {label ?? props.messages.answer.handoffLink}
        </a>
      )}
      {url && isWebUrl(url) && email && ' · '}
      {email && <a href={`mailto:${encodeURIComponent(email).replace('%40', '@')}`}>{email}</a>}
    </p>
  );
}

function AnswerText(props: { text: string; citations: Citation[]; messages: Messages; sourceId: (index: number) => string }) {
  const renderInline = (inline: Inline, key: number) => {
    switch (inline.kind) {
      case 'text':
        return inline.text;
      case 'strong':
        return <strong key={key}>{inline.text}</strong>;
      case 'code':
        return <code key={key}>{inline.text}</code>;
      case 'cite':
        return <CitationMarker key={key} index={inline.index} {...props} />;
    }
  };
  return (
    <>
      {parseAnswer(props.text).map((block, key) =>
        block.kind === 'paragraph' ? (
          <p key={key}>{block.inlines.map(renderInline)}</p>
        ) : block.ordered ? (
          <ol key={key}>{block.items.map((item, index) => <li key={index}>{item.map(renderInline)}</li>)}</ol>
        ) : (
          <ul key={key}>{block.items.map((item, index) => <li key={index}>{item.map(renderInline)}</li>)}</ul>
        ),
      )}
    </>
  );
}

function CitationMarker(props: { index: number; citations: Citation[]; messages: Messages; sourceId: (index: number) => string }) {
  const citation = props.citations.find((candidate) => candidate.index === props.index);
  // A marker whose citation has not arrived yet (mid-stream) is plain text for now.
  if (!citation) return <span class="cite pending">[{props.index}]</span>;
  const title = citation.title ?? citation.source;
  const label = `${format(props.messages.answer.citeLabel, { index: props.index, title })}${citation.supported ? '' : ` (${props.messages.answer.unsupported})`}`;
  return (
    <a
      class={citation.supported ? 'cite' : 'cite unsupported'}
      href={`#${props.sourceId(props.index)}`}
      aria-label={label}
      title={citation.supported ? title : props.messages.answer.unsupportedTitle}
      onClick={(event) => {
        // In-page jump that also works inside the widget's shadow root, and leaves the host page's URL alone.
        event.preventDefault();
        const root = (event.currentTarget as HTMLElement).getRootNode() as Document | ShadowRoot;
        const target = root.getElementById(props.sourceId(props.index));
        target?.scrollIntoView({ block: 'nearest', behavior: 'smooth' });
        target?.focus({ preventScroll: true });
      }}
    >
      [{props.index}]
    </a>
  );
}

function SourceList(props: { citations: Citation[]; messages: Messages; sourceId: (index: number) => string }) {
  const { messages } = props;
  return (
    <section class="sources" aria-label={messages.answer.sources}>
      <h3 class="sources-title">{messages.answer.sources}</h3>
      <ol>
        {props.citations.map((citation) => (
          <li key={citation.index} id={props.sourceId(citation.index)} tabIndex={-1} class={citation.supported ? 'source' : 'source unsupported'}>
            <span class="source-index">[{citation.index}]</span>{' '}
            {isWebUrl(citation.url) ? (
              <a href={citation.url} target="_blank" rel="noopener noreferrer nofollow" class="source-title">
                {citation.title ?? citation.source}
              </a>
            ) : (
              <span class="source-title">{citation.title ?? citation.source}</span>
            )}
            {!citation.supported && (
              <span class="badge" title={messages.answer.unsupportedTitle}>
                {messages.answer.unsupported}
              </span>
            )}
            {citation.heading && <span class="source-heading">{citation.heading}</span>}
            <blockquote class="snippet">{citation.snippet}</blockquote>
          </li>
        ))}
      </ol>
    </section>
  );
}

function CopyButton(props: { text: string; messages: Messages }) {
  const [copied, setCopied] = useState(false);
  return (
    <button
      type="button"
      class="secondary"
      onClick={async () => {
        try {
          await navigator.clipboard.writeText(props.text);
          setCopied(true);
          setTimeout(() => setCopied(false), 2000);
        } catch {
          // No clipboard access (insecure origin, denied): the text stays selectable.
        }
      }}
    >
      {copied ? props.messages.answer.copied : props.messages.answer.copy}
    </button>
  );
}

function Feedback(props: { answerId: string; client: ApiClient; messages: Messages }) {
  const { messages } = props;
  const [rating, setRating] = useState<'up' | 'down' | undefined>();
  const [comment, setComment] = useState('');
  const [state, setState] = useState<'idle' | 'rated' | 'sent' | 'failed'>('idle');
  const [failure, setFailure] = useState('');
  const fail = (error: unknown) => {
    setFailure((error as Error).message);
    setState('failed');
  };
  const rate = async (value: 'up' | 'down') => {
    setRating(value);
    try {
      await props.client.sendFeedback({ answerId: props.answerId, rating: value });
      setState('rated');
    } catch (error) {
      fail(error);
    }
  };
  const sendComment = async (event: Event) => {
    event.preventDefault();
    if (!rating || !comment.trim()) return;
    try {
      await props.client.sendFeedback({ answerId: props.answerId, rating, comment: comment.trim() });
      setState('sent');
    } catch (error) {
      fail(error);
    }
  };
  const commentId = `comment-${props.answerId}`;
  return (
    <div class="feedback">
      <button type="button" class="thumb" aria-pressed={rating === 'up'} aria-label={messages.answer.helpful} title={messages.answer.helpful} onClick={() => rate('up')}>
        <ThumbIcon down={false} />
      </button>
      <button type="button" class="thumb" aria-pressed={rating === 'down'} aria-label={messages.answer.notHelpful} title={messages.answer.notHelpful} onClick={() => rate('down')}>
        <ThumbIcon down />
      </button>
      {state === 'rated' && (
        <form class="comment" onSubmit={sendComment}>
          <label for={commentId}>{messages.answer.commentLabel}</label>
          <textarea id={commentId} rows={2} maxLength={2000} value={comment} onInput={(event) => setComment((event.target as HTMLTextAreaElement).value)} />
          <button type="submit" class="secondary">
            {messages.answer.sendFeedback}
          </button>
        </form>
      )}
      {(state === 'rated' || state === 'sent') && (
        <p class="muted" role="status">
          {messages.answer.thanks}
        </p>
      )}
      {state === 'failed' && (
        <p class="error" role="alert">
          {format(messages.answer.error, { message: failure })}
        </p>
      )}
    </div>
  );
}

/** Drawn, not an emoji: a system without an emoji font would show an empty box. */
function ThumbIcon({ down }: { down: boolean }) {
  return (
    <svg viewBox="0 0 24 24" width="18" height="18" aria-hidden="true" focusable="false" class={down ? 'thumb-icon down' : 'thumb-icon'}>
      <path
        d="M7 10v11H3V10zM7 10l4-8c1.7 0 3 1.3 3 3v3h5.5c1.4 0 2.4 1.3 2 2.6l-2.3 8A2 2 0 0 1 17.3 20H7"
        fill="none"
        stroke="currentColor"
        stroke-width="2"
        stroke-linejoin="round"
      />
    </svg>
  );
}
