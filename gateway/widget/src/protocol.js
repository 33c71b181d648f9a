import { uid } from './dom.js';
import { fmt } from './i18n.js';
import { store } from './store.js';

/** Reconnect delay: exponential, capped, with "equal jitter" (never zero, never a herd). */
export function backoff(attempt, baseMs, maxMs, random = Math.random) {
  const d = Math.min(maxMs, baseMs * 2 ** Math.min(attempt, 30));
  return d / 2 + random() * (d / 2);
}

export const withProtocol = (Base) =>
  class extends Base {
    /** Frames that must arrive (messages, actions) wait in a persisted outbox until acked. */
    _queue(frame) {
      this._outbox.push({ frame, tries: 0, at: Date.now() });
      this._persist();
      if (!this._ws && !this._retryTimer) this._connect();
      else this._flushOutbox();
    }

    _flushOutbox() {
      if (!this._live) return;
      const now = Date.now();
      this._outbox = this._outbox.filter((o) => o.frame.type === 'message.send' || (o.tries < 3 && now - o.at < 10 * 60_000));
      for (const o of this._outbox) {
        if (o.sentOn === this._connId) continue;
        o.sentOn = this._connId;
        o.tries++;
        this._frame(o.frame);
      }
    }

    _frame(frame) {
      if (this._ws && this._live) {
        try {
          this._ws.send(JSON.stringify(frame));
          return true;
        } catch {
          return false;
        }
      }
      return false;
    }

    // -- connection

    async _startSession() {
      const prev = this._session;
      const body = { widget_key: this.key };
      if (prev?.visitor_id) {
        body.visitor_id = prev.visitor_id;
        // The secret binds the anonymous id to this browser; an id without it gets a new visitor.
        if (typeof prev.visitor_secret === 'string') body.visitor_secret = prev.visitor_secret;
      }
      if (prev?.token) body.previous_token = prev.token;
      const userId = this.getAttribute('user-id');
      const userHash = this.getAttribute('user-hash');
      if (userId && userHash) Object.assign(body, { user_id: userId, user_hash: userHash });
      const post = (b) => fetch(`${this.apiBase}/v1/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(b) });
      let r = await post(body);
      if (!r.ok && r.status < 500 && body.previous_token) {
        delete body.previous_token;
        r = await post(body);
      }
      if (!r.ok) throw new Error(`Expected 200 from POST /v1/session, got ${r.status}`);
      const s = await r.json();
      if (s.tenant) this._setTenant({ ...s.tenant, widget: s.tenant.widget || this._tenantConfig });
      const changed = !prev || prev.conversation_id !== s.conversation_id;
      const secret = typeof s.visitor_secret === 'string' ? s.visitor_secret
        : prev && prev.visitor_id === s.visitor_id ? prev.visitor_secret : undefined;
      this._session = {
        token: s.token, expires_at: s.expires_at, conversation_id: s.conversation_id, visitor_id: s.visitor_id,
        visitor_secret: secret, ws_url: s.ws_url,
      };
      store.set(this._prefix + 'session', this._session);
      if (changed) this._restore(!prev);
      this._needSession = false;
    }

    _setStatus(status) {
      if (this._status === status) return;
      this._status = status;
      this._refreshHeader();
      this.setAttribute('data-status', status);
      this.dispatchEvent(new CustomEvent('switchboard:status', { detail: { status } }));
    }

    async _connect() {
      clearTimeout(this._retryTimer);
      this._retryTimer = null;
      if (this._closing || this._connecting || (this._ws && this._ws.readyState <= 1)) return;
      this._connecting = true;
      this._setStatus(this._everLive ? 'reconnecting' : 'connecting');
      try {
        const expires = this._session && Date.parse(this._session.expires_at);
        if (!this._session || this._needSession || (expires && expires - Date.now() < 60_000)) await this._startSession();
        await this._recover();
      } catch {
        this._connecting = false;
        this._scheduleReconnect();
        return;
      }
      this._connecting = false;
      if (this._closing) return;
      const url = new URL(this._session.ws_url || '/v1/ws', this.apiBase + '/');
      if (url.protocol === 'http:') url.protocol = 'ws:';
      if (url.protocol === 'https:') url.protocol = 'wss:';
      url.searchParams.set('token', this._session.token);
      url.searchParams.set('after_seq', String(this._lastSeq));
      url.searchParams.set('page', location.pathname); // for the tenant's nudges ("on this page for 30 s")
      if (!this._lastSeq) { // a conversation this widget has nothing of: the tenant's welcome, if any
        url.searchParams.set('welcome', '1');
        url.searchParams.set('lang', this._lang());
      }
      let ws;
      try {
        ws = new WebSocket(url.href);
      } catch {
        this._scheduleReconnect();
        return;
      }
      this._ws = ws;
      this._live = false;
      this._connId = uid('w');
      ws.onmessage = (e) => {
        if (ws !== this._ws) return;
        this._lastRx = Date.now();
        let ev;
        try {
          ev = JSON.parse(e.data);
        } catch {
          return;
        }
        if (ev && typeof ev === 'object') this._onEvent(ev);
        if (this._live && this._status !== 'online') this._setStatus('online'); // e.g. pong after 'offline'
      };
      ws.onclose = (e) => {
        if (ws !== this._ws) return;
        this._ws = null;
        this._live = false;
        if (e.code === 4401 || e.code === 4403 || e.code === 1008) this._needSession = true;
        if (this._closing) return;
        this._setStatus(navigator.onLine === false ? 'offline' : 'reconnecting');
        this._scheduleReconnect();
      };
    }

    _scheduleReconnect() {
      if (this._closing || this._retryTimer) return;
      const r = this._cfg().reconnect || {};
      const base = Number(this.getAttribute('reconnect-base-ms') || r.base_ms || 500);
      const cap = Number(this.getAttribute('reconnect-max-ms') || r.max_ms || 20000);
      const delay = backoff(this._attempt, base, cap);
      this._attempt++;
      if (this._attempt >= 3) this._needSession = true; // maybe the token expired or the secret rotated
      this._retryTimer = setTimeout(() => { this._retryTimer = null; this._connect(); }, delay);
    }

    _reconnectNow() {
      if (this._closing || !this._session) return;
      if (this._ws && this._ws.readyState === 1) {
        this._frame({ type: 'ping' });
        return;
      }
      clearTimeout(this._retryTimer);
      this._retryTimer = null;
      this._attempt = 0;
      this._connect();
    }

    _checkAlive() {
      if (!this._ws || !this._live) return;
      const hb = (this._heartbeat || 20) * 1000;
      const quiet = Date.now() - (this._lastRx || 0);
      if (quiet > hb * 2.5) {
        // A socket that stopped talking (laptop sleep, dead NAT): drop it and reconnect.
        const ws = this._ws;
        this._ws = null;
        this._live = false;
        try { ws.close(4000); } catch { /* already closed */ }
        this._setStatus('reconnecting');
        this._scheduleReconnect();
      } else if (quiet > hb) {
        this._frame({ type: 'ping' });
      }
    }

    // -- incoming events

    _onEvent(ev) {
      switch (ev.type) {
        case 'hello':
          this._heartbeat = Number(ev.heartbeat_s) || 20;
          this._live = true;
          this._everLive = true;
          this._attempt = 0;
          this._setStatus('online');
          this._flushOutbox();
          return;
        case 'ack':
          this._acked(ev);
          return;
        case 'config': // the tenant's branding changed (admin API): restyle now
          this._setTenant(ev.tenant);
          return;
        case 'resumed':
          if (this._recovery) this._recovered();
          return;
        case 'pong':
        case 'heartbeat':
          return;
        case 'error':
          this._error(ev);
          return;
        default:
          this._apply(ev);
      }
    }

    _acked(ev) {
      const id = ev.client_id || ev.action_id;
      if (!id) return;
      this._outbox = this._outbox.filter((o) => o.frame.client_id !== id && o.frame.action_id !== id);
      this._persist();
      const m = ev.client_id && this._clientIds.get(ev.client_id);
      if (m && m.status === 'sending') {
        m.status = 'sent';
        this._renderNow(m);
        this._renderMeta(m);
      }
    }

    _error(ev) {
      const S = this._S();
      const code = String(ev.code || 'error');
      if (ev.ref) {
        // The frame was refused for good: stop resending it.
        this._outbox = this._outbox.filter((o) => o.frame.client_id !== ev.ref && o.frame.action_id !== ev.ref);
        this._persist();
        const m = this._clientIds.get(ev.ref);
        if (m && code !== 'rate_limited') { m.status = 'failed'; this._renderNow(m); this._renderMeta(m); }
      }
      this._system(S[code] || fmt(S.error, { code }), null, 'system error');
    }
  };
