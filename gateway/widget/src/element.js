import { withComponents } from './components.js';
import { withConversation } from './conversation.js';
import { h } from './dom.js';
import { MOBILE_QUERY, SCRIPT_ORIGIN } from './env.js';
import { RTL_LANGUAGES, STRINGS, TRANSLATIONS } from './i18n.js';
import { withProtocol } from './protocol.js';
import { withRendering } from './render.js';
import { store, tabStore, withStore } from './store.js';
import { BASE_CSS } from './styles.js';
import { cssValue, darkTheme, isDark, themeVars } from './theme.js';
import { withVisitorActions } from './visitor.js';

/**
 * The <switchboard-chat> element. Its methods live with what they are about: each with*(Base)
 * mixin (render.js, visitor.js, components.js, protocol.js, store.js, conversation.js) adds the
 * methods of one concern to the class; all of them share this element's state (`this._*`).
 */
export class SwitchboardChat extends withConversation(withStore(withProtocol(withComponents(withVisitorActions(withRendering(HTMLElement)))))) {
  static get observedAttributes() {
    return ['widget-key', 'api-base', 'layout', 'open', 'lang', 'dir', 'color-scheme'];
  }

  constructor() {
    super();
    this.attachShadow({ mode: 'open' });
    /** Host-page overrides merged over the tenant's widget config (optional). */
    this.config = this.config || null;
    this.renderers = this.renderers || {};
    this.templates = this.templates || {};
    this._msgs = new Map();
    this._components = new Map();
    this._seen = new Set();
    this._clientIds = new Map();
    this._lastSeq = 0;
    this._events = []; // every durable event applied after seq this._base, in order: what is cached
    this._base = 0;
    this._recovery = null; // set while history the cache could not give is replayed from the server
    this._quietUpTo = 0; // replayed events up to this seq were seen before: no announcement
    this._outbox = [];
    this._feedback = {};
    this._pendingFlags = new Map();
    this._attempt = 0;
    this._unread = 0;
    this._status = 'idle';
    this._typingOff = null;
    this._rendering = new Set();
  }

  // -- lifecycle

  connectedCallback() {
    if (this._mounted) return;
    this._mounted = true;
    this._closing = false;
    this._restoredFor = null; // moved in the DOM: rebuild the transcript in the new shadow content
    this.key = this.getAttribute('widget-key') || '';
    this.apiBase = (this.getAttribute('api-base') || SCRIPT_ORIGIN).replace(/\/$/, '');
    this._prefix = `switchboard:${this.key}:`;
    this._session = store.get(this._prefix + 'session');
    const cached = store.get(this._prefix + 'tenant');
    if (cached) this._setTenant(cached, false);
    this._tenantConfig = this._tenantConfig || {};
    const ui = tabStore.get(this._prefix + 'ui') || {};
    this._open = this.hasAttribute('open') || ui.open === true; // still open after a reload or a navigation
    this._savedScroll = Number.isFinite(ui.scroll) && ui.scroll >= 0 ? ui.scroll : null;
    this._mobile = window.matchMedia(MOBILE_QUERY);
    this._build();
    if (this._session) this._restore();
    this._onOnline = () => this._reconnectNow();
    this._onVisible = () => { if (document.visibilityState === 'visible') this._reconnectNow(); };
    this._onHide = () => this._persistNow();
    this._onOffline = () => this._setStatus('offline');
    this._onMobile = () => this._lockPageScroll();
    this._mobile.addEventListener('change', this._onMobile);
    window.addEventListener('online', this._onOnline);
    window.addEventListener('offline', this._onOffline);
    document.addEventListener('visibilitychange', this._onVisible);
    window.addEventListener('pagehide', this._onHide);
    this._watchdog = setInterval(() => this._checkAlive(), 5000);
    this._clock = setInterval(() => this._refreshTimes(), 30_000);
    this._loadConfig().finally(() => {
      if (this._session || this._layout() !== 'floating' || this._open) this._connect();
    });
  }

  disconnectedCallback() {
    this._closing = true;
    clearInterval(this._watchdog);
    clearInterval(this._clock);
    clearTimeout(this._retryTimer);
    window.removeEventListener('online', this._onOnline);
    window.removeEventListener('offline', this._onOffline);
    document.removeEventListener('visibilitychange', this._onVisible);
    window.removeEventListener('pagehide', this._onHide);
    this._mobile.removeEventListener('change', this._onMobile);
    this._persistNow();
    if (this._ws) this._ws.close(1000);
    this._ws = null;
    this._live = false;
    this._mounted = false;
    this._lockPageScroll();
  }

  attributeChangedCallback(name, _old, value) {
    if (!this._mounted) return;
    if (name === 'open') this._setOpen(value !== null, false);
    if (['layout', 'lang', 'dir', 'color-scheme'].includes(name)) this._applyConfig();
  }

  // -- public API

  /** Open the panel (floating layout). */
  open() { this._setOpen(true, true); }

  /** Close the panel (floating layout). */
  close() { this._setOpen(false, true); }

  /** Send a message as the visitor. */
  send(text) { this._sendText(text); }

  /** Ask for a human. */
  askForHuman(reason = '') {
    this._frame({ type: 'handoff.ask', reason: String(reason).slice(0, 500) });
    this._system(this._S().handoff_asked);
  }

  /** Apply host-page overrides (theme, strings, layout, css...) over the tenant config. */
  setConfig(overrides) {
    this.config = overrides;
    this._applyConfig();
  }

  get state() {
    return { status: this._status, conversationId: this._session?.conversation_id ?? null, lastSeq: this._lastSeq, attempt: this._attempt };
  }

  // -- configuration

  _cfg() {
    const t = this._tenantConfig || {};
    const o = this.config || {};
    const merged = { ...t, ...o };
    merged.theme = { ...(t.theme || {}), ...(o.theme || {}) };
    merged.strings = { ...(t.strings || {}), ...(o.strings || {}) };
    merged.templates = { ...(t.templates || {}), ...(o.templates || {}) };
    return merged;
  }

  _S() {
    const cfg = this._cfg();
    const lang = this._lang();
    const primary = lang.split('-')[0];
    const locales = cfg.locales || {};
    const local = locales[lang] || locales[primary] || {};
    // The tenant's `strings` are written in its `language` (English unless it says otherwise): a
    // visitor whose language the widget has bundled gets those instead, then the tenant's locales.
    const bundled = TRANSLATIONS[lang] || TRANSLATIONS[primary];
    const own = !bundled || primary === String(cfg.language || 'en').toLowerCase().split('-')[0];
    const S = { ...STRINGS, ...bundled, ...(own ? cfg.strings : {}), ...local };
    S.assistant_name = this._assistantName || S.assistant;
    return S;
  }

  /** The visitor's language: the element's lang attribute, else the page's, else the browser's. */
  _lang() {
    return (this.getAttribute('lang') || document.documentElement.lang || navigator.language || 'en').toLowerCase();
  }

  /** Right to left for Arabic, Hebrew, Persian and Urdu; a dir="ltr|rtl" attribute decides instead. */
  _dir() {
    const d = (this.getAttribute('dir') || '').toLowerCase();
    if (d === 'rtl' || d === 'ltr') return d;
    return RTL_LANGUAGES.has(this._lang().split('-')[0]) ? 'rtl' : 'ltr';
  }

  /** 'light', 'dark', or 'auto' (the visitor's prefers-color-scheme): color-scheme attribute, else the tenant's. */
  _scheme() {
    const s = this.getAttribute('color-scheme') || this._cfg().color_scheme;
    return ['light', 'dark'].includes(s) ? s : 'auto';
  }

  _layout() {
    const l = this.getAttribute('layout') || this._cfg().layout;
    return ['floating', 'embedded', 'fullpage'].includes(l) ? l : 'floating';
  }

  async _loadConfig() {
    try {
      const r = await fetch(`${this.apiBase}/v1/widget-config/${encodeURIComponent(this.key)}`);
      if (r.ok) this._setTenant(await r.json());
    } catch {
      /* offline: the cached config is used */
    }
  }

  _setTenant(data, apply = true) {
    if (!data || typeof data !== 'object') return;
    const widget = data.widget && typeof data.widget === 'object' ? data.widget : data;
    this._tenantConfig = widget;
    if (data.assistant_name) this._assistantName = String(data.assistant_name);
    if (data.name) this._tenantName = String(data.name);
    if (!apply) return;
    store.set(this._prefix + 'tenant', { widget, assistant_name: this._assistantName, name: this._tenantName });
    this._applyConfig();
  }

  // -- DOM

  _build() {
    const root = this.shadowRoot;
    this._themeStyle = h('style');
    this._customStyle = h('style');
    this._els = {};
    this._structureKey = null;
    this._root = h('div', { class: 'root', part: 'root' });
    root.replaceChildren(h('style', null, BASE_CSS), this._themeStyle, this._root, this._customStyle);
    this._applyConfig();
  }

  _applyConfig() {
    const cfg = this._cfg();
    const S = this._S();
    const block = (theme, scheme) => `:host { ${Object.entries(themeVars(theme)).map(([k, v]) => `${k}: ${cssValue(v)};`).join(' ')} color-scheme: ${scheme}; }`;
    const scheme = this._scheme();
    const light = block(cfg.theme, isDark(cfg.theme) ? 'dark' : 'light');
    const dark = block(darkTheme(cfg.theme, cfg.theme_dark), 'dark');
    this._themeStyle.textContent = scheme === 'light' ? light
      : scheme === 'dark' ? dark
        : `${light}\n@media (prefers-color-scheme: dark) { ${dark} }`;
    this.setAttribute('data-color-scheme', scheme);
    this._customStyle.textContent = typeof cfg.css === 'string' ? cfg.css : '';
    const layout = this._layout();
    const pick = (v, allowed, d) => (allowed.includes(v) ? v : d);
    this._root.className = [
      'root', layout,
      cfg.position === 'bottom-left' ? 'left' : '',
      'b-' + pick(cfg.bubble, ['rounded', 'square', 'pill', 'tail', 'leaf'], 'rounded'),
      'h-' + pick(cfg.header, ['classic', 'centered', 'compact', 'minimal'], 'classic'),
      'a-' + pick(cfg.animation, ['slide', 'fade', 'pop', 'none'], 'slide'),
    ].filter(Boolean).join(' ');
    this.setAttribute('data-layout', layout);
    this._root.setAttribute('dir', this._dir());
    this._root.setAttribute('lang', this._lang());
    this._root.toggleAttribute('data-open', layout === 'floating' && !!this._open);
    this._lockPageScroll();
    const key = JSON.stringify([layout, cfg.templates, S]);
    if (key === this._structureKey) {
      this._refreshHeader();
      return;
    }
    this._structureKey = key;
    this._renderStructure(cfg, S, layout);
  }
}
