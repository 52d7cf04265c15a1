import { useEffect, useRef, useState } from 'preact/hooks';
import type { EvalRun } from '../shared/admin-api-types.ts';
import { format, type Messages } from '../shared/i18n/index.ts';
import type { AdminApi } from './admin-api.ts';
import { ErrorMessage, Status, formatDate } from './ui.tsx';

/**
 * A run's HTML report. A plain link cannot carry the key (it goes in a header, never in a
 * URL), so the report is fetched with it and shown in an iframe built from `srcdoc`:
 * - `sandbox="allow-same-origin"` without `allow-scripts`: nothing in the report runs (its
 *   case filter included); same-origin only so this page can style it (below).
 * - a srcdoc document inherits this page's CSP, which refuses its inline `<style>` and
 *   `style="…"`; a `blob:` URL would inherit it too and is not allowed as a frame source
 *   (`default-src 'self'`). So, once loaded, the report's own style sheet text is applied
 *   through CSSOM (a constructed sheet, and `element.style` for its style attributes), which
 *   the policy does not govern. The report is our own server's output; its answers are
 *   escaped text inside it.
 */
export function ReportViewer({ api, messages, run, onClose }: { api: AdminApi; messages: Messages; run: EvalRun; onClose: () => void }) {
  const t = messages.admin.evals;
  const [html, setHtml] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const heading = useRef<HTMLHeadingElement>(null);
  const frame = useRef<HTMLIFrameElement>(null);

  useEffect(() => {
    heading.current?.focus();
    setHtml(null);
    api.evalReportHtml(run.id).then(setHtml, setError);
  }, [api, run.id]);

  return (
    <section class="panel" aria-labelledby="report-heading">
      <div class="panel-head">
        <h3 id="report-heading" tabIndex={-1} ref={heading}>
          {format(t.reportHeading, { set: run.evalSet, date: formatDate(messages.lang, run.createdAt) })}
        </h3>
        <button type="button" class="secondary" onClick={onClose}>
          {t.closeReport}
        </button>
      </div>
      <ErrorMessage messages={messages} error={error} />
      {html === null && !error && <Status>{messages.admin.loading}</Status>}
      {html !== null && (
        <iframe
          ref={frame}
          class="report-frame"
          title={format(t.reportFrameTitle, { set: run.evalSet })}
          sandbox="allow-same-origin"
          srcdoc={html}
          onLoad={() => frame.current && applyReportStyles(frame.current)}
        />
      )}
    </section>
  );
}

function applyReportStyles(frame: HTMLIFrameElement): void {
  const document = frame.contentDocument;
  const view = frame.contentWindow as (Window & typeof globalThis) | null;
  if (!document || !view) return;
  const css = [...document.querySelectorAll('style')].map((style) => style.textContent ?? '').join('\n');
  const sheet = new view.CSSStyleSheet();
  sheet.replaceSync(css);
  document.adoptedStyleSheets = [...document.adoptedStyleSheets, sheet];
  for (const element of document.querySelectorAll<HTMLElement>('[style]')) {
    element.style.cssText = element.getAttribute('style') ?? '';
  }
}
