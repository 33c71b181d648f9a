// A minimal ChatKit-protocol client: what the ChatKit web component does, in plain DOM (text only, no HTML).
(() => {
  const key = document.currentScript.dataset.widgetKey;
  const log = document.getElementById('log');
  const status = document.getElementById('status');
  const items = new Map(); // item id -> element
  let token = null;
  let thread = null;
  let updates = null;
  let busy = 0; // POST streams running: they carry the deltas the side channel would repeat

  const el = (tag, cls, text) => {
    const node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined) node.textContent = text;
    return node;
  };

  async function call(request) {
    const response = await fetch('/chatkit', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` },
      body: JSON.stringify(request),
    });
    if (!response.ok) throw new Error(`${response.status} ${await response.text()}`);
    return response;
  }

  async function stream(request) {
    busy += 1;
    try {
      await read(await call(request));
    } finally {
      busy -= 1;
    }
  }

  async function read(response) {
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += value;
      let cut;
      while ((cut = buffer.indexOf('\n\n')) >= 0) {
        const chunk = buffer.slice(0, cut);
        buffer = buffer.slice(cut + 2);
        for (const line of chunk.split('\n')) if (line.startsWith('data: ')) apply(JSON.parse(line.slice(6)));
      }
    }
  }

  function apply(event) {
    switch (event.type) {
      case 'thread.created':
        thread = event.thread.id;
        follow();
        break;
      case 'thread.item.added':
      case 'thread.item.done':
      case 'thread.item.replaced':
        render(event.item);
        break;
      case 'thread.item.updated': {
        const node = items.get(event.item_id);
        const update = event.update;
        if (node && update.type === 'assistant_message.content_part.text_delta') node.firstChild.textContent += update.delta;
        if (node && update.type === 'assistant_message.content_part.added') node.firstChild.textContent = update.content.text;
        break;
      }
      case 'progress_update':
        showProgress(event.text);
        break;
      case 'error':
        status.textContent = `error: ${event.message || event.code}`;
        break;
      default:
    }
  }

  function showProgress(text) {
    document.querySelectorAll('.progress').forEach((n) => n.remove());
    log.append(el('div', 'progress', text));
  }

  function render(item) {
    document.querySelectorAll('.progress').forEach((n) => n.remove());
    let node = items.get(item.id);
    const fresh = !node;
    if (fresh) {
      node = el('div', `item ${item.type}`);
      node.dataset.id = item.id;
      items.set(item.id, node);
      log.append(node);
    }
    node.replaceChildren();
    if (item.type === 'user_message') node.append(el('span', '', item.content.map((c) => c.text).join('\n')));
    if (item.type === 'assistant_message') {
      node.append(el('span', '', item.content.map((c) => c.text).join('\n')));
      const rates = el('span', 'rates');
      for (const [label, kind] of [['Helpful', 'positive'], ['Not helpful', 'negative']]) {
        const rate = el('button', 'rate', label);
        rate.title = `rate ${kind}`;
        rate.onclick = () => call({ type: 'items.feedback', params: { thread_id: thread, item_ids: [item.id], kind } })
          .then(() => { rate.disabled = true; });
        rates.append(rate);
      }
      node.append(rates);
    }
    if (item.type === 'widget') node.append(widget(item.widget, item.id));
    log.scrollTop = log.scrollHeight;
  }

  function act(itemId, action, payload) {
    stream({ type: 'threads.custom_action', params: { thread_id: thread, item_id: itemId, action: { type: action.type, payload } } })
      .catch((e) => { status.textContent = String(e); });
  }

  function widget(node, itemId, form) {
    const out = el('div');
    if (node.status) out.append(el('span', 'status', node.status.text));
    const kids = Array.isArray(node.children) ? node.children : node.children ? [node.children] : [];
    switch (node.type) {
      case 'Title': case 'Text': case 'Caption': case 'Label': case 'Markdown':
        return el(node.type === 'Title' ? 'strong' : 'div', '', node.value);
      case 'Image': {
        const img = el('img');
        if (/^https?:/i.test(node.src)) img.src = node.src;
        img.alt = node.alt || '';
        img.style.maxWidth = '100%';
        return img;
      }
      case 'Button': {
        const button = el('button', '', node.label || '…');
        button.disabled = Boolean(node.disabled);
        button.type = node.submit ? 'submit' : 'button';
        const action = node.onClickAction;
        if (action && !node.submit) {
          button.onclick = () => {
            if (action.handler === 'client' && action.payload && /^https?:/i.test(action.payload.url || '')) {
              window.open(action.payload.url, '_blank', 'noopener');
            } else act(itemId, action, action.payload);
          };
        }
        return button;
      }
      case 'Input': case 'Textarea': case 'DatePicker': case 'Select': {
        const input = el(node.type === 'Select' ? 'select' : node.type === 'Textarea' ? 'textarea' : 'input');
        input.name = node.name;
        if (node.type === 'DatePicker') input.type = 'date';
        for (const option of node.options || []) input.append(Object.assign(el('option', '', option.label), { value: option.value }));
        if (node.defaultValue) input.value = node.defaultValue;
        return input;
      }
      case 'Form': {
        const f = el('form');
        f.onsubmit = (e) => {
          e.preventDefault();
          const values = Object.fromEntries(new FormData(f).entries());
          act(itemId, node.onSubmitAction, { ...node.onSubmitAction.payload, ...values });
        };
        for (const kid of kids) f.append(widget(kid, itemId, f));
        return f;
      }
      default:
        for (const kid of kids) {
          const child = widget(kid, itemId, form);
          if (kid.onClickAction && kid.type === 'ListViewItem') {
            child.style.cursor = 'pointer';
            child.onclick = () => act(itemId, kid.onClickAction, kid.onClickAction.payload);
          }
          out.append(child);
        }
        return out;
    }
  }

  function follow() {
    // The side channel: what happens without this page asking (a person joins, writes, leaves).
    if (updates) updates.close();
    updates = new EventSource(`/chatkit/updates?thread=${encodeURIComponent(thread)}&token=${encodeURIComponent(token)}`);
    updates.onmessage = (e) => {
      const event = JSON.parse(e.data);
      if (busy && (event.type === 'thread.item.updated' || event.type === 'thread.item.added')) return;
      apply(event);
    };
  }

  async function start() {
    const stored = JSON.parse(localStorage.getItem(`switchboard-chatkit:${key}`) || 'null');
    const response = await fetch('/v1/session', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ widget_key: key, previous_token: stored && stored.token }),
    });
    const session = await response.json();
    token = session.token;
    localStorage.setItem(`switchboard-chatkit:${key}`, JSON.stringify({ token }));
    const threads = await (await call({ type: 'threads.list', params: { limit: 1, order: 'desc' } })).json();
    const known = threads.data.find((t) => t.id === session.conversation_id);
    if (known) {
      thread = known.id;
      const page = await (await call({ type: 'items.list', params: { thread_id: thread, order: 'asc', limit: 100 } })).json();
      page.data.forEach(render);
      follow();
    }
    status.textContent = 'online';
  }

  document.getElementById('send').onsubmit = (e) => {
    e.preventDefault();
    const input = document.getElementById('text');
    const text = input.value.trim();
    if (!text) return;
    input.value = '';
    const content = [{ type: 'input_text', text }];
    const message = { content, attachments: [], inference_options: {} };
    const request = thread
      ? { type: 'threads.add_user_message', params: { thread_id: thread, input: message } }
      : { type: 'threads.create', params: { input: message } };
    stream(request).catch((err) => { status.textContent = String(err); });
  };

  start().catch((err) => { status.textContent = String(err); });
})();
