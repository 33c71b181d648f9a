// Switchboard agent console: one WebSocket for live state and events, REST for actions.
// All text from the bus is rendered with textContent: nothing a visitor types can run here.
(() => {
  "use strict";
  const $ = (id) => document.getElementById(id);
  const BAD_MOOD = -0.4;
  const S = {
    token: sessionStorage.getItem("sb_agent_token"),
    me: null, ws: null, tab: "queued", selected: null,
    conversations: new Map(), views: new Map(), alerts: new Map(), typingTimer: null, typingOn: false, query: [], readAt: new Map(), notify: false, audio: null, pending: new Map(), canned: [], agents: new Map(), claiming: new Set(),
  };

  // ---- REST -------------------------------------------------------------------------
  async function api(method, path, body) {
    const res = await fetch(path, {
      method,
      headers: { Authorization: `Bearer ${S.token}`, "Content-Type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const data = res.status === 204 ? null : await res.json().catch(() => null);
    if (!res.ok) {
      toast((data && data.detail) || `HTTP ${res.status}`, null);
      throw new Error(`${method} ${path}: ${res.status}`);
    }
    return data;
  }

  // ---- socket -----------------------------------------------------------------------
  function connect() {
    const url = `${location.protocol === "https:" ? "wss" : "ws"}://${location.host}/v1/agent/ws`;
    const ws = new WebSocket(url);
    S.ws = ws;
    ws.onopen = () => ws.send(JSON.stringify({ kind: "auth", token: S.token }));
    ws.onmessage = (m) => onFrame(JSON.parse(m.data));
    ws.onclose = (e) => {
      $("link").textContent = "disconnected";
      if (e.code === 4401) return logout("That token was not accepted.");
      setTimeout(() => S.token && connect(), 1000);
    };
    clearInterval(S.pinger);
    S.pinger = setInterval(() => ws.readyState === 1 && ws.send('{"kind":"ping"}'), 20000);
  }

  function onFrame(f) {
    if (f.kind === "snapshot") {
      S.me = f.me;
      S.agents = new Map((f.agents || []).map((a) => [a.agent_id, a]));
      S.conversations = new Map(f.conversations.map((c) => [c.conversation_id, c]));
      $("login").hidden = true; $("app").hidden = false; $("account").hidden = false;
      $("me").textContent = f.me.name;
      $("presence").value = f.me.status;
      api("GET", "/v1/agents/me/canned-replies").then((list) => { S.canned = list; });
      $("link").textContent = "live";
      renderList(); if (S.selected) select(S.selected);
    } else if (f.kind === "conversation") {
      setConversation(f.conversation);
    } else if (f.kind === "summary") {
      const c = S.conversations.get(f.conversation_id);
      if (c) setConversation({ ...c, visitor: f.visitor });
      if (S.pending.has(f.conversation_id)) notifyNow(f.conversation_id);
    } else if (f.kind === "agent") {
      S.agents.set(f.agent.agent_id, { ...S.agents.get(f.agent.agent_id), ...f.agent });
      if (S.me && f.agent.agent_id === S.me.agent_id) { S.me = { ...S.me, ...f.agent }; $("presence").value = f.agent.status; }
      if (S.selected) renderHead();
    } else if (f.kind === "event") {
      onEvent(f.event, f.seq);
    }
  }

  // Live events of a conversation come only while it is this agent's: when it becomes ours,
  // the transcript is fetched again for what was said before.
  const mine = (c) => !!(c && c.state === "assigned" && S.me && c.agent_id === S.me.agent_id);
  function setConversation(c) {
    const prev = S.conversations.get(c.conversation_id);
    S.conversations.set(c.conversation_id, { ...prev, ...c });
    announce(prev, S.conversations.get(c.conversation_id));
    renderList();
    if (S.selected !== c.conversation_id) return;
    if (!mine(prev) && mine(c)) select(c.conversation_id);
    else renderHead();
  }

  // ---- events -----------------------------------------------------------------------
  function onEvent(ev, seq) {
    const cid = ev.conversation_id;
    if (ev.type === "message.flagged") alert(cid, `Flagged: ${ev.reason}`, "flag");
    if (ev.type === "sentiment.scored" && ev.mood <= BAD_MOOD) alert(cid, `Bad mood (${ev.mood.toFixed(2)})`, "mood");
    if (ev.type === "handoff.requested") alert(cid, `Asks for a human (${ev.trigger})`, "request");
    const view = S.views.get(cid);
    if (!view) return;
    switch (ev.type) {
      case "message.user": upsert(view, ev.message_id, { role: "visitor", text: ev.text, seq }); showTyping(false); break;
      case "message.created": upsert(view, ev.message_id, { role: ev.role, author: ev.author, streaming: true, text: "" }); break;
      case "message.delta": {
        const m = view.messages.get(ev.message_id) || upsert(view, ev.message_id, { role: "assistant", streaming: true, text: "" });
        if (m.streaming) upsert(view, ev.message_id, { text: m.text.slice(0, ev.offset) + ev.text });
        break;
      }
      case "message.completed":
        for (const c of ev.components || []) view.components.set(c.id, c);
        upsert(view, ev.message_id, { role: ev.role, author: ev.author, text: ev.text, streaming: false, seq, shown: (ev.components || []).map(describeComponent) }); break;
      case "widget.action":
        upsert(view, ev.id, { role: "visitor", text: describeAction(ev, view.components.get(ev.component_id)), action: ev.name, raw: ev, seq }); break;
      case "message.cancelled":
        upsert(view, ev.message_id, { text: ev.text || (view.messages.get(ev.message_id) || {}).text || "", streaming: false, cancelled: true }); break;
      case "message.flagged": {
        const m = view.messages.get(ev.message_id) || upsert(view, ev.message_id, { role: "assistant", text: "" });
        upsert(view, ev.message_id, { flags: [...(m.flags || []), ev] }); break;
      }
      case "agent.note": upsert(view, ev.note_id, { role: "note", author: ev.author, text: ev.text, ts: ev.ts }); break;
      case "visitor.typing": showTyping(ev.on); break;
      case "sentiment.scored": setMood(ev.mood, null); break;
      case "handoff.queued": case "handoff.accepted": case "handoff.ended": case "notice":
        note(view, ev); break;
    }
  }

  function alert(cid, text, kind) {
    const list = S.alerts.get(cid) || [];
    list.push(text); S.alerts.set(cid, list);
    const c = S.conversations.get(cid);
    toast(`${c ? labelOf(c) : short(cid)} — ${text}`, cid, kind);
    renderList();
  }

  function toast(text, cid, kind) {
    const el = document.createElement(cid ? "button" : "span");
    el.className = "alert"; el.textContent = text; el.dataset.testid = `alert-${kind || "error"}`;
    if (cid) el.onclick = () => { select(cid); el.remove(); };
    $("alerts").prepend(el);
    while ($("alerts").children.length > 5) $("alerts").lastChild.remove();
  }

  // ---- components, readably (as handoff/transcript.py describes them) ----------------
  const q = (t) => `“${t}”`;
  function describeComponent(c) {
    const labels = (bs) => (bs || []).map((b) => q(b.label)).join(", ");
    switch (c.type) {
      case "card": return `Card ${q([c.title, c.subtitle].filter(Boolean).join(" — "))}${(c.buttons || []).length ? ` with ${labels(c.buttons)}` : ""}`;
      case "carousel": return `Carousel of ${c.cards.length}: ${c.cards.map((k) => [k.title, k.subtitle].filter(Boolean).join(" ")).join("; ")}`;
      case "buttons": return `Buttons ${labels(c.buttons)}`;
      case "quick_replies": return `Quick replies ${labels(c.replies)}`;
      case "list": return `List ${q(c.title || "")}: ${c.items.map((i) => i.title).join("; ")}`;
      case "form": return `Form ${q(c.title || c.action)}: ${c.fields.map((f) => f.label).join(", ")}`;
      default: return `Image ${q(c.alt || c.url)}`;
    }
  }
  function describeAction(ev, c) {
    const same = (b) => b.action === ev.name && JSON.stringify(b.value ?? null) === JSON.stringify(ev.value ?? null);
    if (c && c.type === "form" && ev.value && typeof ev.value === "object") {
      const labels = Object.fromEntries(c.fields.map((f) => [f.name, f.label]));
      return `Submitted ${q(c.title || c.action)} — ${Object.entries(ev.value).map(([k, v]) => `${labels[k] || k}: ${v}`).join(" · ")}`;
    }
    const cards = c ? (c.type === "carousel" ? c.cards : c.type === "card" ? [c] : []) : [];
    for (const k of cards) { const b = (k.buttons || []).find(same); if (b) return `Clicked ${q(b.label)} on ${q(k.title)}`; }
    const b = c && ((c.buttons || []).find(same) || (c.replies || []).find((r) => r.action === ev.name) || (c.items || []).find(same));
    if (b) return `Clicked ${q(b.label || b.title)}`;
    return `Used ${q(ev.name)}${ev.value == null ? "" : ` (${typeof ev.value === "object" ? JSON.stringify(ev.value) : ev.value})`}`;
  }

  // ---- transcript view --------------------------------------------------------------
  function upsert(view, id, patch) {
    const m = { ...(view.messages.get(id) || { id, text: "", flags: [] }), ...patch };
    view.messages.set(id, m);
    let el = view.els.get(id);
    if (!el) {
      el = document.createElement("li"); view.els.set(id, el);
      el.dataset.testid = "message"; el.dataset.messageId = id;
      if (S.selected === view.id) $("transcript").append(el);
    }
    el.className = `msg ${m.role}${m.streaming ? " streaming" : ""}${m.cancelled ? " cancelled" : ""}${m.flags.length ? " flagged" : ""}`;
    el.dataset.role = m.role;
    el.replaceChildren();
    const who = document.createElement("span"); who.className = "who";
    const name = m.author ? m.author.name : m.role;
    who.textContent = m.role === "note" ? `Internal note · ${name}` : name; el.append(who);
    const body = document.createElement("span"); body.className = "text"; body.dataset.testid = "message-text";
    body.textContent = m.text; el.append(body);
    for (const f of m.flags) {
      const fl = document.createElement("span"); fl.className = "flag"; fl.dataset.testid = "flag";
      fl.textContent = `⚠ ${f.sentence || ""} — ${f.reason}`; el.append(fl);
    }
    for (const line of m.shown || []) {
      const c = document.createElement("span"); c.className = "shown"; c.dataset.testid = "shown-component";
      c.textContent = `▣ ${line}`; el.append(c);
    }
    if (m.action) el.classList.add("action");
    if (m.cancelled) { const c = document.createElement("span"); c.className = "flag"; c.textContent = "(stopped)"; el.append(c); }
    if (S.selected === view.id) $("transcript").scrollTop = 1e9;
    return m;
  }

  function note(view, ev) {
    const el = document.createElement("li"); el.className = "note"; el.dataset.testid = "note";
    const label = {
      "handoff.queued": `Waiting for an agent (${ev.reason || ev.trigger})`,
      "handoff.accepted": `${ev.agent && ev.agent.name} joined`,
      "handoff.ended": ev.outcome === "resolved" ? "Resolved" : "Handed back to the AI",
    }[ev.type] || ev.text;
    el.textContent = label;
    if (S.selected === view.id) $("transcript").append(el);
  }

  function showTyping(on) { $("visitor-typing").hidden = !on; }
  // The mood in words (as the server names it in the conversation's summary) and as a number.
  function setMood(mood, words) {
    if (mood === null || mood === undefined) { $("mood").textContent = ""; return; }
    $("mood").textContent = words ? `mood: ${words} (${mood.toFixed(2)})` : `mood ${mood.toFixed(2)}`;
    $("mood").classList.toggle("bad", mood <= BAD_MOOD);
  }

  async function select(cid) {
    S.selected = cid;
    const view = { id: cid, messages: new Map(), els: new Map(), components: new Map() };
    S.views.clear(); S.views.set(cid, view);  // live events go into it before the transcript arrives
    $("transcript").replaceChildren(); showTyping(false); setMood(null, null);
    $("conv").hidden = false; $("empty").hidden = true;
    renderHead(); renderList();
    const t = await api("GET", `/v1/conversations/${cid}/transcript`);
    if (S.selected !== cid) return;
    t.messages.forEach((m, pos) => { if (view.messages.has(m.message_id)) view.messages.get(m.message_id).pos = pos; });
    for (const [pos, m] of t.messages.entries()) {
      const live = view.messages.get(m.message_id);
      if (live && live.streaming) continue;
      for (const c of m.components || []) view.components.set(c.id, c);
      upsert(view, m.message_id, { role: m.role, author: m.author, text: m.text, cancelled: m.cancelled, flags: m.flags, seq: m.seq, shown: m.shown, action: m.action, pos });
    }
    // Actions that arrived live before the transcript: now their components are known.
    for (const m of [...view.messages.values()]) {
      if (m.raw) upsert(view, m.id, { text: describeAction(m.raw, view.components.get(m.raw.component_id)) });
    }
    // The transcript's order (notes sit between messages by time), then what came only live, by seq.
    const key = (m) => (m.pos !== undefined ? m.pos : 1e6 + (m.seq || 1e6));
    const sorted = [...view.messages.values()].sort((a, b) => key(a) - key(b));
    for (const m of sorted) $("transcript").append(view.els.get(m.id));
    const v = (S.conversations.get(cid) || {}).visitor;
    if (v && v.mood !== null && v.mood !== undefined) setMood(v.mood, v.mood_words); else setMood(t.mood, null);
  }

  // ---- list and header --------------------------------------------------------------
  const short = (cid) => `#${cid.slice(0, 8)}`;
  const labelOf = (c) => (c.visitor && c.visitor.label) || short(c.conversation_id);
  function visible(c) {
    if (S.tab === "assigned") return c.state === "assigned" && S.me && c.agent_id === S.me.agent_id;
    return c.state === S.tab;
  }
  // Waiting: in the queue since it was queued; otherwise since the visitor wrote, if nobody answered yet.
  function waitingSince(c) {
    if (c.state === "queued") return c.queued_at;
    const v = c.visitor;
    return c.state !== "resolved" && v && v.last_role === "visitor" ? v.visitor_last_at : null;
  }
  const waitedS = (c) => { const since = waitingSince(c); return since ? Math.max(0, (Date.now() - Date.parse(since)) / 1000) : 0; };
  function duration(s) {
    if (s < 60) return "under a minute";
    if (s < 3600) return `${Math.floor(s / 60)} min`;
    return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
  }
  // Most urgent first: queued before anything else, then waiting time, where a bad mood counts as
  // extra minutes of waiting (an angry visitor who waited 1 min comes before a calm one who waited 10).
  const MOOD_WAIT_S = { angry: 900, upset: 300 };
  const urgency = (c) => (c.state === "queued" ? 1e9 : 0) + waitedS(c) + (MOOD_WAIT_S[c.visitor && c.visitor.mood_words] || 0);
  function searchText(c) {
    const v = c.visitor || {};
    return [labelOf(c), v.email, v.visitor_id, v.last_message, v.page, v.language, v.mood_words, c.conversation_id, c.reason, c.trigger]
      .filter(Boolean).join(" ").toLowerCase();
  }
  const found = (c) => S.query.every((w) => searchText(c).includes(w));
  // Frames can come by the hundred a second on a busy tenant: the list is drawn at most once a frame
  // (in a hidden tab, where animation frames stop, within 100 ms: the title counter still moves).
  function renderList() {
    if (S.listPending) return;
    S.listPending = true;
    const draw = () => { S.listPending = false; drawList(); };
    if (document.hidden) setTimeout(draw, 100); else requestAnimationFrame(draw);
  }
  function drawList() {
    const all = [...S.conversations.values()];
    $("count-queued").textContent = all.filter((c) => c.state === "queued").length;
    $("count-assigned").textContent = all.filter((c) => c.state === "assigned" && S.me && c.agent_id === S.me.agent_id).length;
    $("count-ai").textContent = all.filter((c) => c.state === "ai").length;
    const recent = (c) => String(c.updated_at || "");
    const rows = all.filter((c) => visible(c) && found(c)).sort((a, b) =>
      S.tab === "resolved" ? recent(b).localeCompare(recent(a)) : urgency(b) - urgency(a) || recent(b).localeCompare(recent(a)));
    $("list").replaceChildren(...rows.map(row));
    $("list-empty").hidden = rows.length > 0;
    $("list-empty").textContent = S.query.length ? "No conversation matches." : "Nothing here.";
    updateTitle();
  }
  function row(c) {
    const v = c.visitor || {};
    const span = (cls, text, testid) => {
      const el = document.createElement("span"); el.className = cls; el.textContent = text;
      if (testid) el.dataset.testid = testid;
      return el;
    };
    const li = document.createElement("li");
    li.dataset.testid = "conversation-item"; li.dataset.conversationId = c.conversation_id;
    const open = document.createElement("button"); open.type = "button";
    if (c.conversation_id === S.selected) { li.classList.add("selected"); open.setAttribute("aria-current", "true"); }
    const top = span("row-top", "");
    const name = document.createElement("strong"); name.textContent = labelOf(c); name.dataset.testid = "visitor-name";
    top.append(name);
    if (v.verified) top.append(span("verified", "✓ verified", "verified"));
    if (v.mood_words) top.append(span(`mood-word ${v.mood_words}`, v.mood_words, "mood-word"));
    const since = waitingSince(c);
    if (since) top.append(span("wait", `waiting ${duration(waitedS(c))}`, "wait"));
    const n = (S.alerts.get(c.conversation_id) || []).length;
    if (n) { const b = span("badge", String(n), "alert-badge"); b.setAttribute("aria-label", `${n} alerts`); top.append(b); }
    open.append(top);
    const who = v.last_role && v.last_role !== "visitor" ? `${v.last_role === "agent" ? "Agent" : "AI"}: ` : "";
    const last = v.last_message ? `${who}${v.last_message}` : [c.trigger, c.reason].filter(Boolean).join(" · ");
    open.append(span("preview", last, "preview"));
    const where = [v.name && v.email ? v.email : "", v.page, v.language, c.state === "assigned" && c.agent_id !== (S.me && S.me.agent_id) ? `→ ${c.agent_name || c.agent_id}` : ""].filter(Boolean);
    if (where.length) open.append(span("where", where.join(" · "), "where"));
    open.onclick = () => select(c.conversation_id);
    li.append(open);
    return li;
  }
  function renderHead() {
    const c = S.conversations.get(S.selected) || { state: "ai", conversation_id: S.selected };
    const own = mine(c);
    $("conv-title").textContent = labelOf(c);
    $("conv-id").textContent = short(c.conversation_id);
    const v = c.visitor || {};
    $("conv-where").textContent = [v.name && v.email ? v.email : "", v.page, v.language].filter(Boolean).join(" · ");
    if (v.mood !== null && v.mood !== undefined) setMood(v.mood, v.mood_words);
    $("conv-state").textContent = c.state === "assigned" ? `assigned to ${c.agent_name || c.agent_id}` : c.state;
    $("claim").disabled = c.state === "assigned";
    $("handback").disabled = !(own || c.state === "queued");
    $("resolve").disabled = c.state === "resolved" || (c.state === "assigned" && !own);
    renderTransfer(c, own);
    const noting = $("note-mode").checked;  // any agent may note; only the assigned one replies
    $("reply").disabled = !(own || noting); $("reply-form").querySelector("button").disabled = !(own || noting);
    $("reply").placeholder = noting ? "Internal note: agents only, never the visitor" : "Write to the visitor… (/ for canned replies)";
    $("reply-form").classList.toggle("noting", noting);
  }
  // ---- attention: tab title counter, desktop notifications, a short sound -------------
  const TITLE = document.title;
  // Unread: one of mine whose visitor wrote after the agent last had it open in a visible tab.
  function unread(c) {
    const v = c.visitor;
    if (!mine(c) || !v || v.last_role !== "visitor" || !v.visitor_last_at) return false;
    if (c.conversation_id === S.selected && !document.hidden) { S.readAt.set(c.conversation_id, v.visitor_last_at); return false; }
    return (S.readAt.get(c.conversation_id) || "") < v.visitor_last_at;
  }
  // Transfer: to a colleague who is online or away (the server checks again).
  function renderTransfer(c, own) {
    const may = own;  // a supervisor moves anyone's through the API
    const chosen = $("transfer-to").value;
    const others = [...S.agents.values()].filter((a) => a.agent_id !== c.agent_id && a.agent_id !== (S.me && S.me.agent_id) && a.status !== "offline");
    $("transfer-to").replaceChildren(...others.map((a) => {
      const o = document.createElement("option"); o.value = a.agent_id; o.textContent = `${a.name} (${a.status})`; return o;
    }));
    if (others.some((a) => a.agent_id === chosen)) $("transfer-to").value = chosen;
    $("transfer-to").disabled = !may || !others.length;
    $("transfer").disabled = !may || !others.length;
  }
  $("transfer").onclick = async () => {
    const to = $("transfer-to").value;
    if (to) setConversation(await api("POST", `/v1/conversations/${S.selected}/transfer`, { agent_id: to }));
  };

  function updateTitle() {
    const all = [...S.conversations.values()];
    const n = all.filter((c) => c.state === "queued").length + all.filter(unread).length;
    document.title = n ? `(${n}) ${TITLE}` : TITLE;
  }
  document.addEventListener("visibilitychange", () => S.me && renderList());

  // New work: a conversation entering the queue, or given to this agent (not on the snapshot).
  function announce(prev, c) {
    const queued = c.state === "queued" && (!prev || prev.state !== "queued");
    const given = mine(c) && !mine(prev) && !S.claiming.has(c.conversation_id);
    if (!(queued || given) || !S.notify) return;
    // The visitor's summary may follow the state change by a moment: wait a little for their name.
    if (!c.visitor) {
      S.pending.set(c.conversation_id, { queued, timer: setTimeout(() => notifyNow(c.conversation_id), 1500) });
      return;
    }
    S.pending.set(c.conversation_id, { queued, timer: null });
    notifyNow(c.conversation_id);
  }
  function notifyNow(cid) {
    const p = S.pending.get(cid), c = S.conversations.get(cid);
    S.pending.delete(cid);
    if (!p || !c) return;
    clearTimeout(p.timer);
    const queued = p.queued;
    const who = labelOf(c);
    const text = (c.visitor && c.visitor.last_message) || c.reason || "";
    beep();
    if (window.Notification && Notification.permission === "granted") {
      const n = new Notification(queued ? `${who} is waiting` : `${who} is yours`, { body: text, tag: c.conversation_id });
      n.onclick = () => { window.focus(); select(c.conversation_id); n.close(); };
    }
  }
  function beep() {
    const ctx = S.audio;
    if (!ctx) return;
    const osc = ctx.createOscillator(), gain = ctx.createGain();
    osc.frequency.value = 880;
    gain.gain.setValueAtTime(0.0001, ctx.currentTime);
    gain.gain.exponentialRampToValueAtTime(0.2, ctx.currentTime + 0.02);
    gain.gain.exponentialRampToValueAtTime(0.0001, ctx.currentTime + 0.25);
    osc.connect(gain).connect(ctx.destination);
    osc.start(); osc.stop(ctx.currentTime + 0.25);
  }
  // Turned on by a click (browsers allow the permission prompt and sound only after a gesture);
  // remembered per browser, though the sound needs a click again after a reload.
  function setNotify(on) {
    S.notify = on;
    localStorage.setItem("sb_console_notify", on ? "1" : "0");
    $("notify").setAttribute("aria-pressed", String(on));
    $("notify").textContent = on ? "Alerts on" : "Alerts off";
  }
  $("notify").onclick = async () => {
    const on = !S.notify;
    setNotify(on);
    if (!on) return;
    const Ctx = window.AudioContext || window.webkitAudioContext;
    if (Ctx && !S.audio) S.audio = new Ctx();
    if (S.audio && S.audio.state === "suspended") S.audio.resume();
    if (window.Notification && Notification.permission === "default") await Notification.requestPermission();
  };
  setNotify(localStorage.getItem("sb_console_notify") === "1");
  setInterval(() => S.me && renderList(), 30000);  // waiting times move on

  // Search: words in the name, last message, page, language, mood or ids. The socket's snapshot
  // holds every queued and assigned conversation but only the recent AI and resolved ones, so
  // for those the server is asked too and what it finds joins the list.
  $("search").addEventListener("input", () => {
    S.query = $("search").value.toLowerCase().split(/\s+/).filter(Boolean);
    renderList();
    clearTimeout(S.searchTimer);
    if (!S.query.length || !["ai", "resolved"].includes(S.tab)) return;
    const q = $("search").value, state = S.tab;
    S.searchTimer = setTimeout(async () => {
      const more = await api("GET", `/v1/conversations?state=${state}&limit=200&q=${encodeURIComponent(q)}`);
      for (const c of more) if (!S.conversations.has(c.conversation_id)) S.conversations.set(c.conversation_id, c);
      renderList();
    }, 250);
  });

  // ---- actions ----------------------------------------------------------------------
  const act = (verb) => async () => {
    const cid = S.selected;
    if (verb === "claim") S.claiming.add(cid);  // their own click: no "is yours" alert for it
    try { setConversation(await api("POST", `/v1/conversations/${cid}/${verb}`)); } finally { S.claiming.delete(cid); }
  };
  $("claim").onclick = act("claim");
  $("handback").onclick = act("handback");
  $("resolve").onclick = act("resolve");
  $("presence").onchange = (e) => api("PUT", "/v1/agents/me/presence", { status: e.target.value });
  // Tabs (WAI-ARIA tabs pattern): one tab stop, arrows move between them and show their list.
  const tabs = [...document.querySelectorAll('[role="tab"]')];
  function showTab(b, focus) {
    for (const x of tabs) {
      const on = x === b;
      x.classList.toggle("active", on); x.setAttribute("aria-selected", String(on)); x.tabIndex = on ? 0 : -1;
    }
    $("list-panel").setAttribute("aria-labelledby", b.id);
    if (focus) b.focus();
    S.tab = b.dataset.state; renderList();
  }
  tabs.forEach((b, i) => {
    b.onclick = () => showTab(b, false);
    b.onkeydown = (e) => {
      const to = { ArrowRight: i + 1, ArrowLeft: i - 1, Home: 0, End: tabs.length - 1 }[e.key];
      if (to === undefined) return;
      e.preventDefault(); showTab(tabs[(to + tabs.length) % tabs.length], true);
    };
  });

  function typing(on) {
    if (S.ws && S.ws.readyState === 1 && S.selected) S.ws.send(JSON.stringify({ kind: "typing", conversation_id: S.selected, on }));
    S.typingOn = on;
  }
  $("reply").addEventListener("input", () => {
    if (!S.typingOn) typing(true);
    clearTimeout(S.typingTimer);
    S.typingTimer = setTimeout(() => typing(false), 3000);
  });
  $("reply").addEventListener("keydown", (e) => {
    const offered = cannedMatches();
    if (offered.length && (e.key === "Tab" || (e.key === "Enter" && !e.shiftKey))) {
      e.preventDefault(); useCanned(offered[0]); return;
    }
    if (e.key === "Enter" && !e.shiftKey) { e.preventDefault(); $("reply-form").requestSubmit(); }
  });

  // Canned replies: typing /shortcut offers the tenant's matches; Tab, Enter or a click inserts the first/chosen one.
  function cannedMatches() {
    const m = /^\/(\S*)$/.exec($("reply").value);
    if (!m) return [];
    const typed = m[1].toLowerCase();
    return S.canned.filter((c) => c.shortcut.startsWith(typed));
  }
  function useCanned(c) {
    $("reply").value = c.text; $("canned").hidden = true; $("reply").focus(); renderPreview();
  }
  function renderCanned() {
    const found = cannedMatches();
    $("canned").hidden = !found.length;
    $("canned").replaceChildren(...found.map((c, i) => {
      const li = document.createElement("li"); li.setAttribute("role", "option"); li.dataset.testid = "canned-reply";
      li.setAttribute("aria-selected", String(i === 0));
      const b = document.createElement("b"); b.textContent = `/${c.shortcut}`;
      li.append(b, c.title || c.text);
      li.onmousedown = (e) => { e.preventDefault(); useCanned(c); };
      return li;
    }));
  }
  $("reply").addEventListener("input", renderCanned);

  // Preview: the reply rendered by the visitor's own widget's markdown rules (Switchboard.renderMarkdown,
  // from the widget script: DOM nodes only, never HTML). Notes are never shown to a visitor: no preview.
  function renderPreview() {
    const text = $("reply").value;
    const show = !!text.trim() && !$("note-mode").checked;
    $("preview").hidden = !show;
    if (!show) return;
    const md = window.Switchboard && window.Switchboard.renderMarkdown;
    if (md) $("preview-body").replaceChildren(md(text));
    else $("preview-body").textContent = text;  // the widget script is missing: plain text, which is still safe
  }
  $("reply").addEventListener("input", renderPreview);
  $("note-mode").onchange = () => { renderHead(); renderPreview(); };
  $("reply-form").onsubmit = async (e) => {
    e.preventDefault();
    const text = $("reply").value.trim();
    if ($("note-mode").checked) {
      if (!text) return;
      const cid = S.selected, clientId = (crypto.randomUUID ? crypto.randomUUID() : String(Math.random())).replace(/-/g, "");
      $("reply").value = "";
      const note = await api("POST", `/v1/conversations/${cid}/notes`, { text, client_id: clientId });
      const view = S.views.get(cid);
      if (view) upsert(view, note.note_id, { role: "note", author: note.author, text: note.text, ts: note.ts });
      return;
    }
    const components = composedComponents();
    if (!text && !components.length) return;
    const clientId = (crypto.randomUUID ? crypto.randomUUID() : String(Math.random())).replace(/-/g, "");
    $("reply").value = ""; $("canned").hidden = true; renderPreview(); clearTimeout(S.typingTimer); S.typingOn = false;
    for (const id of ["quick-replies", "card-title", "card-text", "card-url"]) $(id).value = "";
    await api("POST", `/v1/conversations/${S.selected}/messages`, { text, components, client_id: clientId });
  };

  // Quick replies (sent back as the visitor's own message) and a card with an optional link.
  function composedComponents() {
    const out = [];
    const title = $("card-title").value.trim(), body = $("card-text").value.trim(), url = $("card-url").value.trim();
    if (title) out.push({ type: "card", title, text: body || null, buttons: url ? [{ label: "Open", url, style: "link" }] : [] });
    const replies = $("quick-replies").value.split(",").map((r) => r.trim()).filter(Boolean);
    if (replies.length) out.push({ type: "quick_replies", replies: replies.map((label) => ({ label })) });
    return out;
  }

  // ---- login ------------------------------------------------------------------------
  function logout(message) {
    sessionStorage.removeItem("sb_agent_token"); S.token = null;
    $("app").hidden = true; $("account").hidden = true; $("login").hidden = false; $("login-error").textContent = message || "";
  }
  $("login-form").onsubmit = (e) => {
    e.preventDefault();
    S.token = $("token").value.trim();
    sessionStorage.setItem("sb_agent_token", S.token);
    connect();
  };
  if (S.token) connect();
})();
