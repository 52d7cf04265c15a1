import { useEffect, useRef, useState } from 'preact/hooks';
import type { Conversation, ConversationOutcome, ConversationPage, ConversationSummary } from '../../shared/admin-api-types.ts';
import { format, type Messages } from '../../shared/i18n/index.ts';
import type { SectionProps } from '../console.tsx';
import { CursorPager, DataTable, DocumentName, ErrorMessage, formatDate, SectionHeading, Status } from '../ui.tsx';

const pageSize = 25;
const outcomes: ConversationOutcome[] = ['answered', 'abstained', 'resolved', 'handed_off'];

interface Filters {
  outcome: ConversationOutcome | '';
  from: string;
  to: string;
}

function openButtonId(id: string): string {
  return `conversation-open-${id}`;
}

/**
 * A KB's conversations (GET /conversations), newest first, a page at a time, filtered by
 * outcome and by the day they started; one opens to its transcript, where it can be marked
 * resolved or handed off to a person.
 */
export function ConversationsSection({ api, messages, kb, focusHeading }: SectionProps) {
  const t = messages.admin.conversations;
  const [draft, setDraft] = useState<Filters>({ outcome: '', from: '', to: '' });
  const [filters, setFilters] = useState<Filters>(draft);
  /** cursors[i] is the cursor of page i (null: the first page). */
  const [cursors, setCursors] = useState<Array<string | null>>([null]);
  const [page, setPage] = useState<ConversationPage | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [loading, setLoading] = useState(true);
  const [openId, setOpenId] = useState<string | null>(null);
  const [reload, setReload] = useState(0);
  const cursor = cursors[cursors.length - 1] ?? null;
  const filtered = Boolean(filters.outcome || filters.from || filters.to);

  useEffect(() => {
    let current = true;
    setError(null);
    // The rows shown stay until the new ones come (a reload after a resolve must not blank the table).
    setLoading(true);
    api
      .listConversations(kb, { ...filters, cursor, limit: pageSize })
      .then((loaded) => current && setPage(loaded))
      .catch((caught: unknown) => current && setError(caught))
      .finally(() => current && setLoading(false));
    return () => {
      current = false;
    };
  }, [api, kb, filters, cursor, reload]);

  const close = () => {
    const id = openId;
    setOpenId(null);
    // Back to the row's Open button; the heading when that row is no longer on this page.
    requestAnimationFrame(() => (document.getElementById(openButtonId(id ?? '')) ?? document.getElementById('conversations-heading'))?.focus());
  };

  const filterSummary = [
    filters.outcome ? t.outcomes[filters.outcome] : '',
    filters.from ? `${t.from} ${filters.from}` : '',
    filters.to ? `${t.to} ${filters.to}` : '',
  ]
    .filter(Boolean)
    .join(', ');

  return (
    <section aria-labelledby="conversations-heading">
      <SectionHeading id="conversations-heading" focusOnMount={focusHeading}>
        {format(t.heading, { kb })}
      </SectionHeading>
      <form
        class="filters"
        onSubmit={(event) => {
          event.preventDefault();
          setFilters(draft);
          setCursors([null]);
          setOpenId(null);
        }}
      >
        <div class="field">
          <label for="conversations-outcome">{t.outcome}</label>
          <select
            id="conversations-outcome"
            value={draft.outcome}
            onChange={(event) => setDraft({ ...draft, outcome: event.currentTarget.value as Filters['outcome'] })}
          >
            <option value="">{t.anyOutcome}</option>
            {outcomes.map((outcome) => (
              <option key={outcome} value={outcome}>
                {t.outcomes[outcome]}
              </option>
            ))}
          </select>
        </div>
        <div class="field">
          <label for="conversations-from">{t.from}</label>
          <input id="conversations-from" type="date" value={draft.from} onInput={(event) => setDraft({ ...draft, from: event.currentTarget.value })} />
        </div>
        <div class="field">
          <label for="conversations-to">{t.to}</label>
          <input id="conversations-to" type="date" value={draft.to} onInput={(event) => setDraft({ ...draft, to: event.currentTarget.value })} />
        </div>
        <button type="submit">{t.apply}</button>
      </form>
      <ErrorMessage messages={messages} error={error} />
      <Status>{loading ? messages.admin.loading : ''}</Status>
      <DataTable
        caption={filtered ? format(t.captionFiltered, { filters: filterSummary }) : t.caption}
        columns={[t.started, t.firstQuestion, t.turns, t.outcome, t.lastActivity]}
        actions={messages.admin.kbs.actions}
        rows={page?.conversations}
        empty={filtered ? t.noneFound : t.none}
      >
        {(conversation) => (
          <tr key={conversation.id} aria-current={conversation.id === openId ? 'true' : undefined}>
            <td>{formatDate(messages.lang, conversation.createdAt)}</td>
            <td class="wrap">{conversation.firstQuestion ?? '—'}</td>
            <td>{conversation.turnCount}</td>
            <td>
              <OutcomeBadge messages={messages} outcome={conversation.outcome} />
            </td>
            <td>{formatDate(messages.lang, conversation.updatedAt)}</td>
            <td class="row-actions">
              <button
                type="button"
                class="secondary"
                id={openButtonId(conversation.id)}
                onClick={() => setOpenId(conversation.id)}
                aria-label={format(t.openNamed, { question: questionOf(conversation) })}
              >
                {t.open}
              </button>
            </td>
          </tr>
        )}
      </DataTable>
      <CursorPager cursors={cursors} nextCursor={page?.nextCursor} onChange={setCursors} labels={t} />
      {openId && (
        <Transcript key={openId} {...{ api, messages }} id={openId} onClose={close} onChanged={() => setReload((value) => value + 1)} />
      )}
    </section>
  );
}

function questionOf(conversation: ConversationSummary): string {
  const question = conversation.firstQuestion ?? '—';
  return question.length > 80 ? `${question.slice(0, 79)}…` : question;
}

function OutcomeBadge({ messages, outcome }: { messages: Messages; outcome: ConversationOutcome }) {
  return <span class={`badge outcome-${outcome}`}>{messages.admin.conversations.outcomes[outcome]}</span>;
}

/** One conversation's turns, as text; resolve and hand-off buttons, the new outcome announced. */
function Transcript({
  api,
  messages,
  id,
  onClose,
  onChanged,
}: Pick<SectionProps, 'api' | 'messages'> & { id: string; onClose: () => void; onChanged: () => void }) {
  const t = messages.admin.conversations;
  const [conversation, setConversation] = useState<Conversation | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [status, setStatus] = useState('');
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState(false);
  const heading = useRef<HTMLHeadingElement>(null);

  useEffect(() => {
    let current = true;
    api.conversation(id).then(
      (loaded) => current && setConversation(loaded),
      (caught: unknown) => current && setError(caught),
    );
    return () => {
      current = false;
    };
  }, [api, id]);
  // Focus moves to the transcript once it has loaded (or failed): until then it stays on the Open button.
  const settled = conversation !== null || error !== null;
  useEffect(() => {
    if (settled) heading.current?.focus();
  }, [settled]);

  const act = async (action: () => Promise<{ conversation: Conversation; said: string }>) => {
    if (busy) return;
    setBusy(true);
    setError(null);
    setStatus('');
    try {
      const { conversation: changed, said } = await action();
      setConversation(changed);
      setStatus(said);
      onChanged();
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  };
  const resolve = () => act(async () => ({ conversation: await api.resolveConversation(id), said: t.resolved }));
  const handOff = () =>
    act(async () => {
      const handedOff = await api.handOffConversation(id, reason.trim() || undefined);
      return { conversation: handedOff, said: t.handedOff[handedOff.webhook] };
    });

  return (
    <section class="panel transcript" aria-labelledby="transcript-heading">
      <div class="panel-head">
        <h3 id="transcript-heading" tabIndex={-1} ref={heading}>
          {conversation ? format(t.transcriptHeading, { date: formatDate(messages.lang, conversation.createdAt) }) : messages.admin.loading}
        </h3>
        <button type="button" class="secondary" onClick={onClose}>
          {t.close}
        </button>
      </div>
      <ErrorMessage messages={messages} error={error} />
      {conversation && (
        <>
          <p class="outcome-line">
            {t.outcome}: <OutcomeBadge messages={messages} outcome={conversation.outcome} />
          </p>
          {conversation.turns.length === 0 ? (
            <p>{t.noTurns}</p>
          ) : (
            <ol class="turns">
              {conversation.turns.map((turn, index) => (
                <li key={turn.answerId}>
                  <h4>{format(t.turnHeading, { n: index + 1, date: formatDate(messages.lang, turn.createdAt) })}</h4>
                  <dl>
                    <dt>{t.question}</dt>
                    <dd class="chunk-text">{turn.question}</dd>
                    <dt>
                      {t.answer}
                      {turn.abstained && <span class="badge outcome-abstained">{t.abstained}</span>}
                    </dt>
                    <dd class="chunk-text">{turn.answer}</dd>
                  </dl>
                  {turn.citations.length > 0 && (
                    <div class="turn-sources">
                      <p class="small">{t.sources}</p>
                      <ol class="small">
                        {turn.citations.map((citation) => (
                          <li key={citation.index} value={citation.index}>
                            <DocumentName title={citation.title} source={citation.source} url={citation.url} />
                          </li>
                        ))}
                      </ol>
                    </div>
                  )}
                  <p class="small">
                    {t.feedback}{' '}
                    {turn.feedback ? (
                      <>
                        <span class={`badge rating-${turn.feedback.rating}`}>{turn.feedback.rating === 'up' ? t.ratedUp : t.ratedDown}</span>
                        {turn.feedback.comment && <q class="feedback-comment">{turn.feedback.comment}</q>}
                      </>
                    ) : (
                      t.notRated
                    )}
                  </p>
                </li>
              ))}
            </ol>
          )}
          <div class="transcript-actions">
            <button type="button" onClick={() => void resolve()} aria-disabled={busy ? 'true' : undefined}>
              {t.resolve}
            </button>
            <div class="field">
              <label for="handoff-reason">{t.handoffReason}</label>
              <input id="handoff-reason" value={reason} maxLength={500} onInput={(event) => setReason(event.currentTarget.value)} />
            </div>
            <button type="button" class="secondary" onClick={() => void handOff()} aria-disabled={busy ? 'true' : undefined}>
              {t.handOff}
            </button>
          </div>
        </>
      )}
      <Status>{status}</Status>
    </section>
  );
}
