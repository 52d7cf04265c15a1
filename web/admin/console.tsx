import { useCallback, useEffect, useMemo, useState } from 'preact/hooks';
import { ApiError } from '../shared/api.ts';
import type { KnowledgeBaseDetail } from '../shared/admin-api-types.ts';
import type { Messages } from '../shared/i18n/index.ts';
import { KbOptions } from '../shared/kb-options.tsx';
import { createAdminApi, type AdminApi } from './admin-api.ts';
import { readKey, saveKey } from './key-store.ts';
import { KeyForm } from './key-form.tsx';
import { KnowledgeBasesSection } from './sections/knowledge-bases.tsx';
import { DocumentsSection } from './sections/documents.tsx';
import { UploadSection } from './sections/upload.tsx';
import { SourcesSection } from './sections/sources.tsx';
import { TryItSection } from './sections/try-it.tsx';
import { CuratedSection } from './sections/curated.tsx';
import { InsightsSection } from './sections/insights.tsx';
import { SettingsSection } from './sections/settings.tsx';
import { ConversationsSection } from './sections/conversations.tsx';
import { EvalsSection } from './sections/evals.tsx';
import { KeysSection } from './sections/keys.tsx';
import { ErrorMessage, Status } from './ui.tsx';

export const sectionIds = ['kbs', 'documents', 'upload', 'sources', 'try', 'curated', 'insights', 'settings', 'conversations', 'evals', 'keys'] as const;
export type SectionId = (typeof sectionIds)[number];

/** What every section gets: the API, the chosen KB, the KB list (and a way to refresh it), the UI text. */
export interface SectionProps {
  api: AdminApi;
  messages: Messages;
  kb: string;
  kbs: KnowledgeBaseDetail[];
  refreshKbs: () => Promise<void>;
  /** True when the section was opened by navigation (its heading then takes focus). */
  focusHeading: boolean;
}

function sectionFromHash(): SectionId {
  const id = location.hash.replace(/^#/, '');
  return (sectionIds as readonly string[]).includes(id) ? (id as SectionId) : 'kbs';
}

type Access = 'checking' | 'needs-key' | 'ready' | 'failed';

/**
 * The console: a key field, the knowledge-base picker, the section navigation (links to
 * `#section`, so Back works and a section can be bookmarked — the key is never in the URL),
 * and one section at a time.
 */
export function Console({ messages }: { messages: Messages }) {
  const t = messages.admin;
  const [key, setKey] = useState<string | undefined>(readKey);
  const api = useMemo(() => createAdminApi(() => key), [key]);
  const [access, setAccess] = useState<Access>('checking');
  const [loadError, setLoadError] = useState<unknown>(null);
  const [kbs, setKbs] = useState<KnowledgeBaseDetail[]>([]);
  const [kb, setKb] = useState<string>('');
  const [section, setSection] = useState<SectionId>(sectionFromHash);
  const [navigated, setNavigated] = useState(false);

  const refreshKbs = useCallback(async () => {
    try {
      const list = await api.listKbs();
      setKbs(list);
      setKb((current) => (list.some((item) => item.name === current) ? current : (list[0]?.name ?? '')));
      setAccess('ready');
      setLoadError(null);
    } catch (error) {
      if (error instanceof ApiError && error.status === 401) setAccess('needs-key');
      else {
        setAccess('failed');
        setLoadError(error);
      }
    }
  }, [api]);

  useEffect(() => {
    void refreshKbs();
  }, [refreshKbs]);

  useEffect(() => {
    const onHash = () => {
      setSection(sectionFromHash());
      setNavigated(true);
    };
    addEventListener('hashchange', onHash);
    return () => removeEventListener('hashchange', onHash);
  }, []);

  const useKey = (value: string | undefined) => {
    saveKey(value);
    setKey(value);
    setAccess('checking');
  };

  const props: SectionProps = { api, messages, kb, kbs, refreshKbs, focusHeading: navigated };
  return (
    <>
      <a class="skip-link" href="#content">
        {t.skipToContent}
      </a>
      <header class="console-header">
        <div class="console-title">
          <h1>{t.pageTitle}</h1>
          <a href="/">{t.chatLink}</a>
        </div>
        <KeyForm messages={messages} hasKey={Boolean(key)} required={access === 'needs-key'} onKey={useKey} />
        {access === 'ready' && (
          <div class="kb-picker">
            <label for="kb-picker">{t.currentKb}</label>
            <select id="kb-picker" value={kb} onChange={(event) => setKb(event.currentTarget.value)} disabled={kbs.length === 0}>
              {kbs.length === 0 && <option value="">{t.noKbs}</option>}
              <KbOptions kbs={kbs} />
            </select>
          </div>
        )}
      </header>
      <nav class="console-nav" aria-label={t.navLabel}>
        <ul>
          {sectionIds.map((id) => (
            <li key={id}>
              <a href={`#${id}`} aria-current={section === id ? 'page' : undefined}>
                {t.sections[id]}
              </a>
            </li>
          ))}
        </ul>
      </nav>
      <main id="content" class="console-main" tabIndex={-1}>
        {access === 'checking' && <Status>{t.loading}</Status>}
        {access === 'needs-key' && (
          <p class="notice" role="alert">
            {key ? t.keyRefused : t.keyNeeded}
          </p>
        )}
        {access === 'failed' && <ErrorMessage messages={messages} error={loadError} />}
        {access === 'ready' && section !== 'upload' && <Section id={section} {...props} />}
        {/* Always mounted once ready: uploads keep polling their jobs while another section is open. */}
        {access === 'ready' && (
          <div hidden={section !== 'upload'}>
            {props.kb ? (
              <UploadSection {...props} focusHeading={navigated && section === 'upload'} />
            ) : (
              section === 'upload' && <Section id="upload" {...props} />
            )}
          </div>
        )}
      </main>
    </>
  );
}

function Section({ id, ...props }: SectionProps & { id: SectionId }) {
  const needsKb = id !== 'kbs' && id !== 'keys';
  if (needsKb && !props.kb) {
    return (
      <section aria-labelledby="section-heading">
        <h2 id="section-heading">{props.messages.admin.sections[id]}</h2>
        <p>
          {props.messages.admin.createKbFirst} <a href="#kbs">{props.messages.admin.sections.kbs}</a>
        </p>
      </section>
    );
  }
  switch (id) {
    case 'kbs':
      return <KnowledgeBasesSection {...props} />;
    case 'documents':
      return <DocumentsSection key={props.kb} {...props} />;
    case 'sources':
      return <SourcesSection key={props.kb} {...props} />;
    case 'try':
      return <TryItSection key={props.kb} {...props} />;
    case 'curated':
      return <CuratedSection key={props.kb} {...props} />;
    case 'insights':
      return <InsightsSection key={props.kb} {...props} />;
    case 'settings':
      return <SettingsSection key={props.kb} {...props} />;
    case 'conversations':
      return <ConversationsSection key={props.kb} {...props} />;
    case 'evals':
      return <EvalsSection key={props.kb} {...props} />;
    case 'keys':
      return <KeysSection {...props} />;
  }
}
