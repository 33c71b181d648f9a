// A minimal client of the widget protocol (docs/protocol.md): session, socket, streaming, resume.
// Text is only ever set with textContent: nothing from the server is parsed as HTML.
(() => {
  const KEY = document.currentScript.dataset.widgetKey;
  const STORE = `switchboard-demo:${KEY}`;
  const $ = (id) => document.getElementById(id);
  const log = $('log');
  const saved = JSON.parse(localStorage.getItem(STORE) || '{}');
  let token = saved.token || null;
  // The page keeps no transcript, so a load replays the conversation from the start; within
  // the page, reconnects resume after the highest seq applied.
  let lastSeq = 0;
  let conversation = saved.conversation || null;
  let ws = null;
  let retry = 0;
  const bubbles = new Map(); // message_id -> {el, text}
  const shownSeqs = new Set();

  const persist = () => localStorage.setItem(STORE, JSON.stringify({ token, conversation, lastSeq }));
  const status = (s) => { $('status').textContent = s; };
  const scroll = () => { log.scrollTop = log.scrollHeight; };

  function line(cls, text, who) {
    const el = document.createElement('div');
    el.className = `msg ${cls}`;
    if (who) { const w = document.createElement('span'); w.className = 'who'; w.textContent = who; el.append(w); }
    const body = document.createElement('span');
    body.textContent = text;
    el.append(body);
    log.append(el);
    scroll();
    return body;
  }
  const system = (text, cls = '') => line(`system ${cls}`, text);

  function bubble(id, role, who) {
    if (!bubbles.has(id)) bubbles.set(id, { el: line(role, '', who), text: '' });
    return bubbles.get(id);
  }

  function apply(ev) {
    if (ev.seq != null) {
      if (shownSeqs.has(ev.seq)) return; // a replay after a resume frame
      shownSeqs.add(ev.seq);
      lastSeq = Math.max(lastSeq, ev.seq);
      persist();
    }
    switch (ev.type) {
      case 'message.user': {
        const b = bubble(ev.message_id, 'visitor');
        b.text = ev.text; b.el.textContent = ev.text;
        break;
      }
      case 'message.created':
        bubble(ev.message_id, ev.role, ev.author?.name || ev.role);
        break;
      case 'message.delta': {
        // Deltas carry their offset: text[:offset] + delta, so a resumed snapshot continues exactly.
        const b = bubble(ev.message_id, 'assistant');
        b.text = b.text.slice(0, ev.offset) + ev.text;
        b.el.textContent = b.text;
        scroll();
        break;
      }
      case 'message.completed': {
        const b = bubble(ev.message_id, ev.role, ev.author?.name || ev.role);
        b.text = ev.text; b.el.textContent = ev.text;
        if (ev.sources?.length) {
          const s = document.createElement('div');
          s.className = 'sources';
          s.textContent = 'Sources: ' + ev.sources.map((x) => x.title).join(' · ');
          b.el.parentElement.append(s);
        }
        scroll();
        break;
      }
      case 'message.cancelled': system(`Reply stopped: ${ev.reason}`); break;
      case 'message.flagged': bubbles.get(ev.message_id)?.el.classList.add('flagged'); system('An answer was flagged as possibly unsupported.'); break;
      case 'notice': system(ev.text); break;
      case 'typing': status(ev.on ? `${ev.name || ev.who} is typing…` : 'online'); break;
      default:
        if (ev.type?.startsWith('handoff.')) system(`${ev.type.replace('handoff.', 'handoff ')}${ev.agent?.name ? ': ' + ev.agent.name : ''}`);
    }
  }

  function onFrame(ev) {
    switch (ev.type) {
      case 'hello': retry = 0; status('online'); break;
      case 'ack': case 'pong': case 'heartbeat': case 'resumed': break;
      case 'error': system(`${ev.code}: ${ev.message}`, 'error'); break;
      default: apply(ev);
    }
  }

  async function session() {
    const body = { widget_key: KEY };
    if (token) body.previous_token = token; // a reload continues the conversation
    const r = await fetch('/v1/session', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    if (!r.ok) throw new Error(`Expected 200 from /v1/session, got ${r.status}`);
    const s = await r.json();
    // A new conversation (old token too old, or another tenant) starts from the beginning.
    if (s.conversation_id !== conversation) lastSeq = 0;
    conversation = s.conversation_id;
    token = s.token;
    persist();
    $('title').textContent = s.tenant.widget?.strings?.title || s.tenant.name;
    return s;
  }

  async function connect() {
    status(retry ? 'reconnecting…' : 'connecting…');
    let s;
    try { s = await session(); } catch (e) { return later(); }
    const url = new URL(s.ws_url);
    url.searchParams.set('token', token);
    url.searchParams.set('after_seq', String(lastSeq));
    ws = new WebSocket(url);
    ws.onmessage = (e) => { try { onFrame(JSON.parse(e.data)); } catch (err) { console.error(err); } };
    ws.onclose = (e) => { ws = null; status(`disconnected (${e.code}${e.reason ? ': ' + e.reason : ''})`); later(); };
  }

  function later() {
    const delay = Math.min(15000, 500 * 2 ** retry++) * (0.5 + Math.random() / 2);
    setTimeout(connect, delay);
  }

  const send = (frame) => ws?.readyState === 1 && ws.send(JSON.stringify(frame));
  $('send').addEventListener('submit', (e) => {
    e.preventDefault();
    const text = $('text').value.trim();
    if (!text) return;
    send({ type: 'message.send', client_id: crypto.randomUUID(), text });
    $('text').value = '';
  });
  let typingTimer = null;
  $('text').addEventListener('input', () => {
    if (!typingTimer) send({ type: 'typing', on: true });
    clearTimeout(typingTimer);
    typingTimer = setTimeout(() => { send({ type: 'typing', on: false }); typingTimer = null; }, 1500);
  });
  $('human').addEventListener('click', () => send({ type: 'handoff.ask', reason: 'Asked from the demo page' }));
  $('reset').addEventListener('click', () => { localStorage.removeItem(STORE); location.reload(); });
  connect();
})();
