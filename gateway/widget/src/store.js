import { CACHE_VERSION, HISTORY_PAGE, MAX_CACHED_EVENTS } from './env.js';

/** JSON in a Web Storage area; storage full, disabled or blocked: the widget still works, it just forgets on reload. */
export const storage = (area) => ({
  get(key) {
    try {
      const raw = window[area].getItem(key);
      return raw ? JSON.parse(raw) : null;
    } catch {
      return null;
    }
  },
  set(key, value) {
    try {
      if (value == null) window[area].removeItem(key);
      else window[area].setItem(key, JSON.stringify(value));
    } catch {
      /* see above */
    }
  },
});
/** Across tabs and visits: the session, the conversation cache, the tenant config, the draft. */
export const store = storage('localStorage');
/** This tab only: whether the panel is open and where the transcript was scrolled. */
export const tabStore = storage('sessionStorage');

/**
 * The cached durable events of a conversation if they can be trusted: this version's format,
 * strictly increasing seqs, contiguous from `base` (every event after that seq; 0 = since the
 * conversation began) up to the saved `seq`, the highest one applied. Anything else (corrupt,
 * the old format that lost history, a gap before `seq`, a save made mid-recovery) is null.
 */
export function cachedHistory(saved) {
  if (!saved || typeof saved !== 'object' || saved.v !== CACHE_VERSION || saved.partial) return null;
  const { base, seq, events } = saved;
  if (!Number.isSafeInteger(base) || base < 0 || !Number.isSafeInteger(seq) || !Array.isArray(events)) return null;
  let last = base;
  for (const ev of events) {
    if (!ev || typeof ev !== 'object' || typeof ev.type !== 'string' || !Number.isSafeInteger(ev.seq) || ev.seq <= last) return null;
    last = ev.seq;
  }
  return last === seq ? { base, seq, events } : null;
}

export const withStore = (Base) =>
  class extends Base {
    /** Open state and scroll position for this tab, so a reload or the next page shows the same. */
    _saveUi() {
      if (!this._prefix || !this._els.log) return;
      const log = this._els.log;
      let scroll = null; // at the end (or closed): open at the newest message
      if (this._savedScroll != null) scroll = this._savedScroll;
      else if (log.clientHeight && !this._nearEnd()) scroll = Math.round(log.scrollTop);
      tabStore.set(this._prefix + 'ui', { open: !!this._open, scroll });
    }

    /**
     * Rebuild the transcript from the locally cached durable events, then resume after them. A
     * cache that cannot be trusted to hold the whole conversation (missing, corrupt, capped, the
     * old format, a gap) is not shown: _recover() replays the conversation from the server.
     * `fresh`: the conversation was just created, there is nothing to recover.
     */
    _restore(fresh = false) {
      const conv = this._session && this._session.conversation_id;
      if (!conv || this._restoredFor === conv) return;
      // Messages typed before the first session existed are kept and sent once it does.
      const unsent = this._restoredFor ? [] : this._outbox;
      this._restoredFor = conv;
      this._msgs.clear();
      this._components.clear();
      this._seen.clear();
      this._clientIds.clear();
      this._els.log.replaceChildren();
      const raw = store.get(this._prefix + 'conv:' + conv);
      const saved = raw && typeof raw === 'object' && !Array.isArray(raw) ? raw : {};
      const cache = cachedHistory(raw);
      this._lastSeq = 0;
      this._base = 0;
      this._events = [];
      this._recovery = null;
      this._quietUpTo = 0;
      this._feedback = saved.feedback && typeof saved.feedback === 'object' ? saved.feedback : {};
      if (cache && cache.base === 0) {
        this._replay(cache.events);
      } else if (raw || !fresh) {
        // History before the cached events (or all of it) comes from the server; the cached
        // events after `base` are used once the server's history reaches them.
        this._recovery = { upTo: cache ? cache.base : Infinity, events: cache ? cache.events : [] };
        // Seen before, so not announced again: up to the saved seq, or all the replay if unknown.
        this._quietUpTo = Number.isSafeInteger(saved.seq) ? saved.seq : Infinity;
      }
      const outbox = Array.isArray(saved.outbox) ? saved.outbox.filter((o) => o && o.frame && typeof o.frame.type === 'string') : [];
      this._outbox = outbox.concat(unsent).filter((o) => !(o.frame.type === 'message.send' && this._clientIds.has(o.frame.client_id)));
      for (const o of this._outbox) {
        o.sentOn = null;
        if (o.frame.type !== 'message.send') continue;
        const m = this._message('local:' + o.frame.client_id, 'visitor');
        m.clientId = o.frame.client_id;
        m.text = o.frame.text;
        m.status = 'sending';
        m.ts = Number.isFinite(o.at) ? new Date(o.at).toISOString() : null;
        this._clientIds.set(m.clientId, m);
        this._renderNow(m);
        this._renderMeta(m);
      }
      this._restoreScroll();
    }

    /** Apply stored events (oldest first) as history: skipped by seq if already applied, not announced. */
    _replay(events) {
      this._replaying = true;
      try {
        for (const ev of events) this._apply(ev);
      } finally {
        this._replaying = false;
      }
    }

    /**
     * Replay what the cache could not give from the server, the source of truth: the history API
     * pages forward from the start (the database keeps what JetStream has aged out), then the
     * cached events that follow on from it; the socket then replays after the last seq (what the
     * recorder has not stored yet, or everything if there is no history service).
     */
    async _recover() {
      const rec = this._recovery;
      const conv = this._session && this._session.conversation_id;
      if (!rec || rec.fetched || !conv) return;
      rec.fetched = true;
      const url = new URL(`${this.apiBase}/v1/conversations/${encodeURIComponent(conv)}/events`);
      url.searchParams.set('limit', String(HISTORY_PAGE));
      try {
        while (this._lastSeq < rec.upTo) {
          url.searchParams.set('after_seq', String(this._lastSeq));
      url.searchParams.set('page', location.pathname); // for the tenant's nudges ("on this page for 30 s")
          const r = await fetch(url.href, { headers: { authorization: `Bearer ${this._session.token}` } });
          if (!r.ok) break;
          const page = await r.json();
          if (this._recovery !== rec) return; // another conversation was restored meanwhile
          const events = Array.isArray(page && page.events) ? page.events : [];
          const before = this._lastSeq;
          this._replay(events.filter((ev) => ev && typeof ev === 'object' && Number.isSafeInteger(ev.seq)).sort((a, b) => a.seq - b.seq));
          if (!page.has_more || this._lastSeq === before) break;
        }
      } catch {
        /* offline, or no history service: the socket replays from the last seq */
      }
      if (this._recovery !== rec) return;
      if (this._lastSeq >= rec.upTo) this._replay(rec.events);
      rec.events = [];
      this._persist();
    }

    /** The socket's replay finished: what the widget shows is whole again. */
    _recovered() {
      this._recovery = null;
      this._quietUpTo = 0;
      // Messages still on their way go below the history that was replayed above them.
      for (const m of this._clientIds.values()) if (m.status === 'sending' && m.row.parentNode === this._els.log) this._els.log.append(m.row);
      this._restoreScroll(true);
      this._persist();
    }

    _cacheMax() {
      const n = Number(this.getAttribute('cache-max-events'));
      return Number.isSafeInteger(n) && n > 0 ? n : MAX_CACHED_EVENTS;
    }

    _persist() {
      if (this._persistTimer) return;
      this._persistTimer = setTimeout(() => this._persistNow(), 150);
    }

    _persistNow() {
      clearTimeout(this._persistTimer);
      this._persistTimer = null;
      this._saveUi();
      const conv = this._session && this._session.conversation_id;
      if (!conv) return;
      const drop = this._events.length - this._cacheMax();
      if (drop > 0) {
        // The oldest go; the next load fetches them from the server (see _restore).
        this._base = this._events[drop - 1].seq;
        this._events = this._events.slice(drop);
      }
      store.set(this._prefix + 'conv:' + conv, {
        v: CACHE_VERSION, base: this._base, seq: this._lastSeq, events: this._events, partial: !!this._recovery || undefined,
        feedback: this._feedback,
        outbox: this._outbox.map((o) => ({ frame: o.frame, tries: o.tries, at: o.at })),
      });
    }
  };
