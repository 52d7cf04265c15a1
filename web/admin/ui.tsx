import type { ComponentChildren } from 'preact';
import { useEffect, useRef } from 'preact/hooks';
import { ApiError } from '../shared/api.ts';
import { format, type Messages } from '../shared/i18n/index.ts';

/** Small pieces every section uses. Text is always rendered as text children, never as HTML. */

/** A link target only when the URL is http(s): anything else (javascript:, data:…) is shown as text. */
export function webUrl(url: string | null | undefined): string | null {
  if (!url) return null;
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'http:' || parsed.protocol === 'https:' ? parsed.href : null;
  } catch {
    return null;
  }
}

export function errorText(messages: Messages, error: unknown): string {
  if (error instanceof ApiError) {
    if (error.status === 401) return messages.admin.errors.unauthorized;
    if (error.status === 403) return format(messages.admin.errors.forbidden, { message: error.message });
    return error.message;
  }
  return error instanceof Error ? error.message : String(error);
}

export function ErrorMessage({ messages, error }: { messages: Messages; error: unknown }) {
  if (error === null || error === undefined) return null;
  return (
    <p class="error" role="alert">
      {errorText(messages, error)}
    </p>
  );
}

/** A polite live region: status lines a screen reader announces without moving focus. */
export function Status({ children }: { children: ComponentChildren }) {
  return (
    <p class="status" role="status">
      {children}
    </p>
  );
}

export function formatDate(lang: string, iso: string | null | undefined): string {
  if (!iso) return '—';
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : date.toLocaleString(lang === 'zh' ? 'zh-CN' : 'en', { dateStyle: 'medium', timeStyle: 'short' });
}

/** A section's heading takes focus when the section opens, so keyboard and screen reader users land in it. */
export function SectionHeading({ id, children, focusOnMount }: { id: string; children: ComponentChildren; focusOnMount: boolean }) {
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    if (focusOnMount) heading.current?.focus();
  }, [focusOnMount]);
  return (
    <h2 id={id} tabIndex={-1} ref={heading}>
      {children}
    </h2>
  );
}

/** Document title, or its source when it has none; a link out only for http(s) urls. */
export function DocumentName({ title, source, url }: { title: string | null; source: string; url?: string | null }) {
  const href = webUrl(url);
  const name = title || source;
  return href ? (
    <a href={href} target="_blank" rel="noopener noreferrer">
      {name}
    </a>
  ) : (
    <span>{name}</span>
  );
}

/** A header cell: its text, or its text with a class (e.g. `mono` for metric names). */
export type Column = string | { label: string; class: string };

/**
 * The console's tables: scrolling in their own box on narrow screens, a caption, column
 * headers, a last column for row actions named for screen readers only, and one row
 * saying there is nothing when the list has loaded empty.
 */
export function DataTable<Row>({
  caption,
  columns,
  actions,
  rows,
  empty,
  children,
}: {
  caption: ComponentChildren;
  columns: Column[];
  /** The actions column's hidden name; no actions column without it. */
  actions?: string;
  /** null or undefined while loading. */
  rows: readonly Row[] | null | undefined;
  empty?: ComponentChildren;
  children: (row: Row) => ComponentChildren;
}) {
  const columnCount = columns.length + (actions === undefined ? 0 : 1);
  return (
    <div class="table-scroll">
      <table>
        <caption>{caption}</caption>
        <thead>
          <tr>
            {columns.map((column) =>
              typeof column === 'string' ? (
                <th scope="col" key={column}>
                  {column}
                </th>
              ) : (
                <th scope="col" key={column.label} class={column.class}>
                  {column.label}
                </th>
              ),
            )}
            {actions !== undefined && (
              <th scope="col">
                <span class="visually-hidden">{actions}</span>
              </th>
            )}
          </tr>
        </thead>
        <tbody>
          {rows?.length === 0 && empty !== undefined && (
            <tr>
              <td colSpan={columnCount}>{empty}</td>
            </tr>
          )}
          {rows?.map(children)}
        </tbody>
      </table>
    </div>
  );
}

/**
 * A destructive row action asked twice: the first button swaps itself for a focused
 * confirm button and a cancel button, so one stray click or Enter deletes nothing.
 */
export function ConfirmInRow({
  messages,
  confirming,
  onAsk,
  onCancel,
  onConfirm,
  action,
  actionLabel,
  confirmLabel,
}: {
  messages: Messages;
  confirming: boolean;
  onAsk: () => void;
  onCancel: () => void;
  onConfirm: () => void;
  /** The first button's text, and its accessible name naming the row. */
  action: string;
  actionLabel: string;
  confirmLabel: string;
}) {
  // Cancel removes the focused button: focus goes back to the one that asked, not to the page's start.
  const askButton = useRef<HTMLButtonElement>(null);
  const cancelled = useRef(false);
  useEffect(() => {
    if (confirming || !cancelled.current) return;
    cancelled.current = false;
    askButton.current?.focus();
  }, [confirming]);
  return confirming ? (
    <>
      <button type="button" class="danger" onClick={onConfirm} autoFocus>
        {confirmLabel}
      </button>
      <button
        type="button"
        class="secondary"
        onClick={() => {
          cancelled.current = true;
          onCancel();
        }}
      >
        {messages.admin.cancel}
      </button>
    </>
  ) : (
    <button type="button" class="danger" onClick={onAsk} aria-label={actionLabel} ref={askButton}>
      {action}
    </button>
  );
}

/**
 * Previous page / Page N / Next page over a cursor-paged list. `cursors[i]` is the cursor of
 * page i (null: the first page), so Previous goes back without the API paging backwards.
 */
export function CursorPager({
  cursors,
  nextCursor,
  onChange,
  labels,
}: {
  cursors: Array<string | null>;
  nextCursor: string | null | undefined;
  onChange: (update: (cursors: Array<string | null>) => Array<string | null>) => void;
  labels: { previous: string; next: string; pageNumber: string };
}) {
  return (
    <div class="pager">
      <button type="button" class="secondary" disabled={cursors.length === 1} onClick={() => onChange((list) => list.slice(0, -1))}>
        {labels.previous}
      </button>
      <span>{format(labels.pageNumber, { page: cursors.length })}</span>
      <button type="button" class="secondary" disabled={!nextCursor} onClick={() => nextCursor && onChange((list) => [...list, nextCursor])}>
        {labels.next}
      </button>
    </div>
  );
}
