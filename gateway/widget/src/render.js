import { image, thumb } from './components.js';
import { IMG_PROTOCOLS, h, safeUrl } from './dom.js';
import { registry } from './env.js';
import { fmt, fullTime, relativeTime } from './i18n.js';
import { renderMarkdown } from './markdown.js';
import { store } from './store.js';
import { fromTemplate } from './templates.js';

export const withRendering = (Base) =>
  class extends Base {
    _renderStructure(cfg, S, layout) {
      const e = this._els;
      const hadLog = e.log;
      const panelId = 'sb-panel';
      e.live = h('div', { class: 'sr-only', part: 'live', role: 'status', 'aria-live': 'polite', 'aria-atomic': 'false' });
      e.log = hadLog || h('div', {
        class: 'log', part: 'messages', role: 'log', 'aria-live': 'off', tabindex: '0',
        onscroll: () => {
          if (this._nearEnd()) this._showPill(false);
          clearTimeout(this._scrollSave);
          this._scrollSave = setTimeout(() => this._saveUi(), 200);
        },
      });
      e.pill = h('button', { type: 'button', class: 'new-messages', part: 'new-messages', hidden: !(e.pill && !e.pill.hidden), onclick: () => { this._scrollToEnd(true); this._els.input.focus(); } }, S.new_messages);
      e.log.setAttribute('aria-label', S.messages_label);
      e.typing = h('div', { class: 'typing', part: 'typing', hidden: true }, h('span', { class: 'dots', 'aria-hidden': 'true' }, h('i'), h('i'), h('i')), h('span', { part: 'typing-text' }));
      const draft = e.input ? e.input.value : String(store.get(this._prefix + 'draft') || '');
      e.input = h('textarea', {
        class: 'input', part: 'input', rows: '1', placeholder: S.placeholder, 'aria-label': S.input_label,
        maxlength: '8000', enterkeyhint: 'send', dir: 'auto',
        onkeydown: (ev) => {
          if (ev.key === 'Enter' && !ev.shiftKey && !ev.isComposing) {
            ev.preventDefault();
            this._submit();
          }
        },
        oninput: () => {
          this._visitorTyping();
          store.set(this._prefix + 'draft', e.input.value || null); // kept across reloads and pages
        },
      });
      e.input.value = draft;
      e.send = h('button', { class: 'send', part: 'send', type: 'submit' }, S.send);
      const composer = h('form', { class: 'composer', part: 'composer', onsubmit: (ev) => { ev.preventDefault(); this._submit(); } }, e.input, e.send);
      e.header = this._header(cfg, S, layout);
      e.panel = h('div', {
        class: 'panel', part: 'panel', id: panelId,
        role: layout === 'floating' ? 'dialog' : 'region', 'aria-label': S.dialog_label,
        onkeydown: (ev) => { if (ev.key === 'Escape' && this._layout() === 'floating') { ev.stopPropagation(); this.close(); } },
      }, e.header, h('div', { class: 'log-area', part: 'log-area' }, e.log, e.pill), e.typing, composer, e.live);
      const kids = [e.panel];
      if (layout === 'floating') {
        e.launcher = this._launcher(cfg, S, panelId);
        kids.push(e.launcher);
        e.panel.hidden = !this._open;
      } else {
        e.launcher = null;
        e.panel.hidden = false;
      }
      this._root.replaceChildren(...kids);
      this._refreshHeader();
    }

    _launcher(cfg, S, panelId) {
      const icon = h('svg:svg', { viewBox: '0 0 24 24', 'aria-hidden': 'true', fill: 'currentColor', part: 'launcher-icon' },
        h('svg:path', { d: 'M4 4h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H9l-5 4v-4H4a2 2 0 0 1-2-2V6a2 2 0 0 1 2-2zm3 6.5a1.5 1.5 0 1 0 0-.01zm5 0a1.5 1.5 0 1 0 0-.01zm5 0a1.5 1.5 0 1 0 0-.01z' }));
      this._els.badge = h('span', { class: 'badge', part: 'badge', hidden: true });
      const texts = { label: S.launcher_label, title: S.title, open: S.open };
      const fn = this.templates.launcher || registry.templates.launcher;
      let btn = null;
      if (typeof fn === 'function') btn = fn({ strings: S, icon, badge: this._els.badge });
      else if (cfg.templates.launcher) btn = fromTemplate(cfg.templates.launcher, texts, { icon, badge: this._els.badge }, {});
      if (!(btn instanceof Element)) {
        btn = h('button', { type: 'button', class: 'launcher', part: 'launcher' }, icon, S.launcher_label ? h('span', { part: 'launcher-label' }, S.launcher_label) : null, this._els.badge);
      }
      if (!btn.contains(this._els.badge)) btn.append(this._els.badge);
      if (btn.tagName !== 'BUTTON') {
        btn.setAttribute('role', 'button');
        btn.setAttribute('tabindex', '0');
        btn.addEventListener('keydown', (ev) => { if (ev.key === 'Enter' || ev.key === ' ') { ev.preventDefault(); this._setOpen(!this._open, true); } });
      }
      if (!btn.getAttribute('part')) btn.setAttribute('part', 'launcher');
      btn.setAttribute('aria-controls', panelId);
      btn.setAttribute('aria-expanded', String(!!this._open));
      btn.setAttribute('aria-label', S.launcher_label || S.open);
      btn.addEventListener('click', () => this._setOpen(!this._open, true));
      return btn;
    }

    _header(cfg, S, layout) {
      const e = this._els;
      e.avatar = h('span', { class: 'avatar', part: 'avatar header-avatar', 'aria-hidden': 'true' });
      e.title = h('div', { class: 'title', part: 'title', role: 'heading', 'aria-level': '2' }, S.title);
      e.subtitle = h('div', { class: 'subtitle', part: 'subtitle status' });
      e.handoff = h('button', { type: 'button', class: 'header-button', part: 'handoff-button', onclick: () => this.askForHuman() }, S.handoff);
      e.close = layout === 'floating'
        ? h('button', { type: 'button', class: 'header-button icon close', part: 'close-button', 'aria-label': S.close, onclick: () => this.close() }, '×')
        : null;
      const actions = h('div', { class: 'header-actions', part: 'header-actions' }, e.handoff, e.close);
      const fn = this.templates.header || registry.templates.header;
      let node = null;
      if (typeof fn === 'function') node = fn({ strings: S, avatar: e.avatar, title: e.title, subtitle: e.subtitle, actions });
      else if (cfg.templates.header) {
        node = fromTemplate(cfg.templates.header, { title: S.title }, { avatar: e.avatar, title: e.title, subtitle: e.subtitle, actions }, { close: () => this.close(), handoff: () => this.askForHuman() });
      }
      if (node instanceof Element) {
        if (!node.contains(actions)) node.append(actions);
        if (!node.getAttribute('part')) node.setAttribute('part', 'header');
        node.classList.add('header');
        return node;
      }
      return h('header', { class: 'header', part: 'header' }, e.avatar, h('div', { class: 'header-text', part: 'header-text' }, e.title, e.subtitle), actions);
    }

    _refreshHeader() {
      const e = this._els;
      if (!e.subtitle) return;
      const S = this._S();
      const agent = this._agent;
      const status = { connecting: S.connecting, reconnecting: S.reconnecting, offline: S.offline }[this._status];
      e.subtitle.textContent = status || (agent ? fmt(S.subtitle_agent, { name: agent.name }) : S.subtitle);
      e.handoff.hidden = !!agent || this._cfg().handoff_button === false;
      const who = agent || { name: this._assistantName || S.assistant, avatar_url: this._tenantAvatar() };
      e.avatar.replaceChildren(this._avatarContent(who));
    }

    /** The tenant's avatar_url (config, may be relative to the gateway) as an absolute URL. */
    _tenantAvatar() {
      return safeUrl(this._cfg().avatar_url, IMG_PROTOCOLS, this.apiBase + '/');
    }

    _avatarContent(author) {
      const src = safeUrl(author && author.avatar_url, IMG_PROTOCOLS);
      if (src) return h('img', { class: 'avatar', part: 'avatar-image', src, alt: '', referrerpolicy: 'no-referrer' });
      return document.createTextNode(String((author && author.name) || '?').trim().slice(0, 1).toUpperCase());
    }

    _setOpen(open, byUser) {
      if (this._layout() !== 'floating') return;
      this._open = open;
      const e = this._els;
      e.panel.hidden = !open;
      this._root.toggleAttribute('data-open', open);
      this._lockPageScroll();
      if (e.launcher) e.launcher.setAttribute('aria-expanded', String(open));
      if (open) {
        this._unread = 0;
        this._updateBadge();
        if (!this._ws && !this._retryTimer) this._connect();
        if (byUser) e.input.focus();
        this._restoreScroll();
      } else if (byUser && e.launcher) {
        e.launcher.focus();
      }
      this._saveUi();
      this.dispatchEvent(new CustomEvent(open ? 'switchboard:open' : 'switchboard:close'));
    }

    /**
     * While the floating panel covers a phone's screen, the page behind it does not scroll (the
     * page's own overflow styles are put back when the panel closes, the screen widens or the
     * widget leaves the page).
     */
    _lockPageScroll() {
      const lock = !!(this._mounted && this._open && this._layout() === 'floating' && this._mobile && this._mobile.matches);
      if (lock === !!this._pageOverflow) return;
      const targets = [document.documentElement, document.body].filter(Boolean);
      if (lock) {
        this._pageOverflow = targets.map((el) => [el, el.style.overflow]);
        for (const el of targets) el.style.overflow = 'hidden';
      } else {
        for (const [el, value] of this._pageOverflow) el.style.overflow = value;
        this._pageOverflow = null;
      }
    }

    _updateBadge() {
      const b = this._els.badge;
      if (!b) return;
      b.hidden = this._unread === 0;
      b.textContent = String(this._unread);
      b.setAttribute('aria-label', fmt(this._S().unread, { count: this._unread }));
    }

    _nearEnd() {
      const log = this._els.log;
      return log.scrollHeight - log.scrollTop - log.clientHeight < 80;
    }

    /** To the newest message if the visitor was there (or `force`). */
    _scrollToEnd(force) {
      const log = this._els.log;
      if (force || this._stick !== false) {
        log.scrollTop = log.scrollHeight;
        this._showPill(false);
      }
    }

    _showPill(on) {
      const pill = this._els.pill;
      if (pill && pill.hidden === on) pill.hidden = !on;
    }

    /**
     * Back where the visitor was reading before a reload or a navigation (once the transcript is
     * tall enough and visible), else at the newest message. `final`: the history is complete.
     */
    _restoreScroll(final = false) {
      const log = this._els.log;
      const saved = this._savedScroll;
      if (saved == null) {
        this._scrollToEnd(true);
        return;
      }
      if (!log.clientHeight) return; // a closed panel: when it opens
      log.scrollTop = saved;
      this._stick = this._nearEnd();
      if (final || log.scrollTop >= saved - 1) this._savedScroll = null;
    }

    /** A new row at the end; if the visitor is reading above, `news` shows the "new messages" pill instead of scrolling. */
    _appendRow(node, news = true) {
      this._stick = this._nearEnd();
      this._els.log.append(node);
      this._scrollToEnd();
      if (news && !this._stick && !this._replaying) this._showPill(true);
    }

    _announce(text) {
      const live = this._els.live;
      const line = h('p', null, String(text).slice(0, 400));
      live.append(line);
      while (live.childNodes.length > 3) live.firstChild.remove();
    }

    _system(text, author, part = 'system') {
      const row = h('div', { class: 'system', part, role: 'note' }, author ? h('span', { class: 'avatar', part: 'avatar system-avatar', 'aria-hidden': 'true' }, this._avatarContent(author)) : null, h('span', null, text));
      this._appendRow(row);
      return row;
    }

    // -- messages

    _message(id, role, author) {
      let m = this._msgs.get(id);
      if (m) {
        if (author && !m.author) { m.author = author; this._renderMeta(m); }
        return m;
      }
      m = { id, role, author: author || null, text: '', final: false, flags: this._pendingFlags.get(id) || [], sources: [], components: [], status: '' };
      this._pendingFlags.delete(id);
      this._msgs.set(id, m);
      this._retireQuickReplies();
      const S = this._S();
      const isVisitor = role === 'visitor';
      const name = isVisitor ? S.you : (author && author.name) || (role === 'agent' ? S.agent : this._assistantName || S.assistant);
      m.content = h('div', { class: 'content', part: 'content', dir: 'auto' });
      m.authorEl = h('div', { class: 'author', part: 'author' }, name);
      const face = { name, avatar_url: (author && author.avatar_url) || (role === 'assistant' ? this._tenantAvatar() : null) };
      m.avatarEl = isVisitor ? null : h('span', { class: 'avatar', part: 'avatar message-avatar', 'aria-hidden': 'true' }, this._avatarContent(face));
      const fn = this.templates.bubble || registry.templates.bubble;
      const tpl = this._cfg().templates.bubble;
      let bubble = null;
      if (typeof fn === 'function') bubble = fn({ role, author: author || { name }, content: m.content, strings: S });
      else if (tpl) bubble = fromTemplate(tpl, { author: name, role }, { content: m.content, avatar: m.avatarEl, author: m.authorEl }, {});
      if (!(bubble instanceof Element)) bubble = h('div', { class: 'bubble', part: `bubble bubble-${role}` }, isVisitor ? null : m.authorEl, m.content);
      if (!bubble.contains(m.content)) bubble.append(m.content);
      bubble.classList.add('bubble');
      if (!bubble.getAttribute('part')) bubble.setAttribute('part', `bubble bubble-${role}`);
      m.meta = h('div', { class: 'meta', part: 'meta' });
      m.extras = h('div', { class: 'components', part: 'components' });
      m.notes = h('div', { part: 'notes' });
      m.stack = h('div', { class: 'stack', part: 'stack' }, bubble, m.notes, m.extras, m.meta);
      m.row = h('div', { class: `row ${role}`, part: `row row-${role}`, 'data-message-id': id }, bubble.contains(m.avatarEl) ? null : m.avatarEl, m.stack);
      this._appendRow(m.row, !isVisitor);
      return m;
    }

    _render(m) {
      if (this._rendering.has(m)) return;
      this._rendering.add(m);
      requestAnimationFrame(() => {
        this._rendering.delete(m);
        this._renderNow(m);
      });
    }

    _renderNow(m) {
      this._stick = this._nearEnd();
      if (m.role === 'visitor') m.content.replaceChildren(m.text);
      else m.content.replaceChildren(renderMarkdown(m.text, m.flags, this._S()));
      m.row.classList.toggle('streaming', !m.final && m.role !== 'visitor');
      m.row.classList.toggle('pending', m.role === 'visitor' && m.status === 'sending');
      this._renderNotes(m);
      this._scrollToEnd();
    }

    _renderNotes(m) {
      const S = this._S();
      // What could not be verified, why, and what to do: check it, or ask a person (when the tenant offers one).
      const ask = () => (this._els.handoff && !this._els.handoff.hidden
        ? [' ', h('button', { type: 'button', class: 'flag-ask', part: 'flag-ask', onclick: () => this.askForHuman() }, S.flag_ask)]
        : []);
      const notes = m.flags.filter((f) => f.action === 'flag' || !f.action).map((f) => h('div', { class: 'flag-note', part: 'flag-note', role: 'note' },
        '⚠ ', S.flag_note, ' ', h('span', { part: 'flag-reason' }, fmt(S.flag_reason, { reason: f.reason || '' })), ask()));
      if (m.cancelled) notes.push(h('div', { class: 'note', part: 'cancelled-note', role: 'note' }, m.cancelled === 'takeover' ? S.stopped_takeover : S.cancelled));
      m.notes.replaceChildren(...notes);
    }

    _renderMeta(m) {
      const S = this._S();
      const kids = [];
      m.timeEl = this._timeEl(m.ts);
      kids.push(m.timeEl);
      if (m.role === 'visitor' && m.status) {
        const label = { sending: S.sending, sent: S.sent, failed: S.not_sent }[m.status];
        kids.push(h('span', { part: 'message-status', class: 'message-status', 'data-state': m.status }, label));
      }
      // A reply cut short is not rated and cites nothing: it is not an answer.
      if (m.final && !m.cancelled && (m.role === 'assistant' || m.role === 'agent') && m.text && this._cfg().feedback !== false) {
        const rated = this._feedback[m.id];
        const button = (rating, label, glyph) => h('button', {
          type: 'button', class: 'feedback', part: `feedback feedback-${rating}`, 'aria-label': label, title: label,
          'aria-pressed': String(rated === rating),
          onclick: () => this._rate(m, rating),
        }, glyph);
        kids.push(button('up', S.feedback_up, thumb(false)), button('down', S.feedback_down, thumb(true)));
        if (rated) kids.push(h('span', { part: 'feedback-thanks' }, S.feedback_thanks));
      }
      m.meta.replaceChildren(...kids);
      // Numbered references to what the answer used, once it is whole (a reply cut short cites nothing).
      const refs = m.final && !m.cancelled ? this._references(m) : [];
      if (refs.length) {
        const items = refs.map((s, i) => {
          const href = safeUrl(s.url, IMG_PROTOCOLS);
          const title = String(s.title || s.id || '');
          const link = href ? h('a', { href, target: '_blank', rel: 'noopener noreferrer nofollow', part: 'source' }, title) : h('span', { part: 'source' }, title);
          return h('li', { part: 'citation', 'data-citation': i + 1 }, h('span', { part: 'citation-number', 'aria-hidden': 'true' }, String(i + 1)), link);
        });
        m.meta.append(h('div', { class: 'sources', part: 'sources' }, h('span', { part: 'sources-label' }, S.sources + ':'), h('ol', { part: 'citations' }, items)));
      }
    }

    /**
     * The sources an answer used (message.completed `citations`), in that order, each once (the same
     * link or title is the same source); every source for an event from before citations existed.
     */
    _references(m) {
      const byId = new Map(m.sources.filter(Boolean).map((s) => [s.id, s]));
      const used = Array.isArray(m.citations) ? m.citations.map((id) => byId.get(id)).filter(Boolean) : m.sources.filter(Boolean);
      const seen = new Set();
      return used.filter((s) => {
        const key = safeUrl(s.url, IMG_PROTOCOLS) || String(s.title || s.id || '');
        if (!key || seen.has(key)) return false;
        seen.add(key);
        return true;
      });
    }

    /** <time datetime> with the relative time as text and the full time on hover (title) and focus. */
    _timeEl(ts) {
      const date = ts ? new Date(ts) : null;
      if (!date || Number.isNaN(date.getTime())) return null;
      const lang = this._lang();
      return h('time', { part: 'time', class: 'time', datetime: date.toISOString(), title: fullTime(date, lang), tabindex: '0' }, relativeTime(date, lang));
    }

    /** Relative times age: "now" becomes "1 min. ago" without a re-render of the message. */
    _refreshTimes() {
      const lang = this._lang();
      for (const m of this._msgs.values()) {
        if (m.timeEl) m.timeEl.textContent = relativeTime(new Date(m.timeEl.getAttribute('datetime')), lang);
      }
    }

    _notify(m) {
      const S = this._S();
      const name = (m.author && m.author.name) || (m.role === 'agent' ? S.agent : this._assistantName || S.assistant);
      // What was said, without the controls inside it (a code block's "Copy").
      const said = m.content.cloneNode(true);
      for (const control of said.querySelectorAll('button')) control.remove();
      this._announce(fmt(S.new_message, { name, text: said.textContent }));
      if (this._layout() === 'floating' && !this._open) {
        this._unread++;
        this._updateBadge();
      }
    }

    _typing(ev) {
      const t = this._els.typing;
      clearTimeout(this._typingOff);
      const S = this._S();
      if (ev.on) {
        const name = ev.name || (ev.who === 'agent' ? (this._agent && this._agent.name) || S.agent : this._assistantName || S.assistant);
        t.querySelector('[part="typing-text"]').textContent = fmt(S.typing, { name });
        t.setAttribute('data-who', ev.who === 'agent' ? 'agent' : 'assistant');
        t.hidden = false;
        this._typingOff = setTimeout(() => { t.hidden = true; }, 15000);
      } else if (!ev.who || t.getAttribute('data-who') === ev.who || ev.who === 'visitor') {
        t.hidden = true;
      }
    }
  };
