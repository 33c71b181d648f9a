/**
 * Switchboard widget: one script tag puts a <switchboard-chat> web component (shadow DOM) on any page.
 *
 *   <script src="https://chat.example.com/widget.js" data-widget-key="pk_..." async></script>
 *   or place <switchboard-chat widget-key="pk_..."></switchboard-chat> yourself.
 *
 * No framework. esbuild bundles these modules into gateway/static/widget/switchboard-widget.js
 * (`make widget`), the one file the gateway serves. Where things are:
 *
 *   index.js         this file: defines the element, the `Switchboard` global, script-tag mounting
 *   element.js       the <switchboard-chat> element: lifecycle, public methods, configuration
 *   protocol.js      the WebSocket client: session, connect/reconnect with backoff, frames, acks
 *   store.js         localStorage/sessionStorage, the conversation cache, resume and history replay
 *   conversation.js  what each server event does to the conversation (_apply)
 *   render.js        launcher, header, panel, message rows, meta (time, delivery, sources, feedback)
 *   visitor.js       what the visitor does: send, type, rate
 *   components.js    backend-driven components (cards, carousels, quick replies, forms)
 *   markdown.js      the safe markdown renderer (DOM nodes only, never HTML)
 *   templates.js     tenant HTML templates, parsed inert and scrubbed
 *   styles.js        the stylesheet (BASE_CSS); theme.js: colours, contrast, dark mode
 *   i18n.js          strings, bundled translations, time formatting; dom.js: h(), safeUrl(), uid()
 *   env.js           constants and the host page's registry of renderers and templates
 *
 * Safety rule: text that comes from a message, a component or the network only ever reaches the
 * page as text nodes or as attribute values set through setAttribute; URLs pass safeUrl(). The
 * only HTML parsing is of tenant-configured templates (admin input), parsed inert and scrubbed of
 * scripts, handlers and unsafe URLs.
 * Docs: docs/widget.md. Protocol: docs/protocol.md / shared/widget_protocol.py.
 */

import { h, safeUrl } from './dom.js';
import { SwitchboardChat } from './element.js';
import { SCRIPT, SCRIPT_ORIGIN, TAG, VERSION, registry } from './env.js';
import { STRINGS, TRANSLATIONS } from './i18n.js';
import { renderMarkdown } from './markdown.js';
import { backoff } from './protocol.js';

if (window.customElements && !customElements.get(TAG)) {
  customElements.define(TAG, SwitchboardChat);

  window.Switchboard = Object.freeze({
    version: VERSION,
    element: SwitchboardChat,
    /** Register a renderer for a component type: fn(component, ctx) -> Node (null falls back to the default). */
    registerRenderer(type, fn) { registry.renderers.set(String(type), fn); },
    /** Override a template for every widget on the page: 'launcher' | 'header' | 'bubble'; fn(ctx) -> Element. */
    setTemplate(name, fn) { registry.templates[name] = fn; },
    /** The safe markdown renderer, for custom renderers that show markdown. */
    renderMarkdown: (text) => renderMarkdown(String(text ?? ''), [], STRINGS),
    /** The languages the widget has bundled strings for, besides English. */
    languages: Object.freeze(Object.keys(TRANSLATIONS)),
    /** The bundled strings for a language tag ('pt-BR' falls back to 'pt'; English when none). */
    strings(lang) {
      const tag = String(lang ?? '').toLowerCase();
      return { ...STRINGS, ...(TRANSLATIONS[tag] || TRANSLATIONS[tag.split('-')[0]]) };
    },
    backoff,
    safeUrl,
    h,
  });

  // <script src=".../widget.js" data-widget-key="pk_..." [data-target="#el"] [data-layout=...]> mounts one widget.
  if (SCRIPT && SCRIPT.dataset.widgetKey) {
    const mount = () => {
      const el = document.createElement(TAG);
      el.setAttribute('widget-key', SCRIPT.dataset.widgetKey);
      el.setAttribute('api-base', SCRIPT.dataset.apiBase || SCRIPT_ORIGIN);
      if (SCRIPT.dataset.layout) el.setAttribute('layout', SCRIPT.dataset.layout);
      const target = SCRIPT.dataset.target ? document.querySelector(SCRIPT.dataset.target) : null;
      (target || document.body).append(el);
    };
    if (document.body) mount();
    else document.addEventListener('DOMContentLoaded', mount);
  }
}
