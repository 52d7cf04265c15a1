import { render } from 'preact';
import answerStyles from '../shared/answer.css?inline';
import { readWidgetSettings } from './settings.ts';
import { Widget } from './widget.tsx';
import widgetStyles from './widget.css?inline';

/**
 * `/widget.js`: `<script src="https://HOST/widget.js" data-kb="support" data-key="KEY" async>`
 * adds a support chat bubble. Everything renders inside an open shadow root on one element
 * appended to <body>; styles are adopted into that root, so the host page's CSS cannot reach
 * in and ours cannot leak out. It calls the API at the origin it was loaded from and loads
 * nothing else.
 */
const tagName = 'oriole-chat-widget';
// Read now: `document.currentScript` is only set while this script first runs.
const script = (document.currentScript as HTMLScriptElement | null) ?? document.querySelector<HTMLScriptElement>('script[src*="widget.js"][data-kb]');

if (script && !customElements.get(tagName)) {
  const settings = readWidgetSettings(script, navigator.languages);

  class OrioleChatWidget extends HTMLElement {
    connectedCallback(): void {
      if (this.shadowRoot) return;
      // Inline !important beats the host page's rules (`* { all: unset }`) on this one element.
      this.style.setProperty('all', 'initial', 'important');
      this.style.setProperty('display', 'block', 'important');
      const shadow = this.attachShadow({ mode: 'open' });
      adoptStyles(shadow, `${widgetStyles}\n${answerStyles}`);
      const mount = document.createElement('div');
      mount.className = 'root';
      shadow.append(mount);
      render(<Widget settings={settings} />, mount);
    }
  }
  customElements.define(tagName, OrioleChatWidget);
  const attach = () => document.body.append(document.createElement(tagName));
  if (document.body) attach();
  else document.addEventListener('DOMContentLoaded', attach, { once: true });
}

/** Constructed style sheets: not subject to the host page's style-src policy; a <style> element where unsupported. */
function adoptStyles(shadow: ShadowRoot, css: string): void {
  if ('adoptedStyleSheets' in shadow && typeof CSSStyleSheet === 'function' && 'replaceSync' in CSSStyleSheet.prototype) {
    const sheet = new CSSStyleSheet();
    sheet.replaceSync(css);
    shadow.adoptedStyleSheets = [sheet];
  } else {
    const style = document.createElement('style');
    style.textContent = css;
    shadow.append(style);
  }
}
