import { IMG_PROTOCOLS, h, safeUrl, uid } from './dom.js';
import { SCRIPT_ORIGIN, registry } from './env.js';
import { fmt } from './i18n.js';

// ---------------------------------------------------------------- backend-driven components

export function renderButton(b, ctx, part = 'button') {
  const label = String(b.label ?? '');
  if (!b.action && b.url) {
    const href = safeUrl(b.url, IMG_PROTOCOLS);
    if (href) return h('a', { part: `${part} button-link`, href, target: '_blank', rel: 'noopener noreferrer nofollow' }, label);
  }
  return h('button', {
    type: 'button',
    part: `${part} button-${['primary', 'secondary', 'link'].includes(b.style) ? b.style : 'secondary'}`,
    disabled: ctx.locked || !b.action,
    onclick: () => ctx.sendAction(b.action, b.value ?? null),
  }, label);
}

/** A thumb icon drawn here (emoji fonts are not everywhere). */
export function thumb(down) {
  return h('svg:svg', { viewBox: '0 0 24 24', width: '14', height: '14', 'aria-hidden': 'true', fill: 'currentColor', part: 'feedback-icon', transform: down ? 'rotate(180)' : null },
    h('svg:path', { d: 'M2 10h4v11H2zM8 21h9.2a2 2 0 0 0 2-1.6l1.7-7.6A2 2 0 0 0 19 9.3h-5.3l.8-4.1a1.6 1.6 0 0 0-2.9-1.2L8 10z' }));
}

export function image(url, alt, part) {
  // A path ("/static/...") is the widget's own server's, like its API.
  const src = safeUrl(url, IMG_PROTOCOLS, SCRIPT_ORIGIN);
  return src ? h('img', { part, src, alt: String(alt ?? ''), loading: 'lazy', referrerpolicy: 'no-referrer' }) : null;
}

export const DEFAULT_RENDERERS = {
  card(c, ctx) {
    return h('article', { part: 'card' },
      image(c.image_url, c.image_alt, 'card-image'),
      h('div', { part: 'card-body' },
        h('h4', { part: 'card-title' }, String(c.title ?? '')),
        c.subtitle ? h('p', { part: 'card-subtitle' }, String(c.subtitle)) : null,
        c.text ? h('p', { part: 'card-text' }, String(c.text)) : null,
        (c.buttons || []).length ? h('div', { part: 'card-buttons' }, c.buttons.map((b) => renderButton(b, ctx))) : null));
  },
  carousel(c, ctx) {
    const cards = c.cards || [];
    const track = h('div', { part: 'carousel-track', tabindex: '0', role: 'list', 'aria-label': ctx.strings.carousel_label });
    cards.forEach((card, i) => track.append(h('div', {
      part: 'carousel-slide', role: 'listitem',
      'aria-label': fmt(ctx.strings.slide_label, { index: i + 1, count: cards.length }),
    }, DEFAULT_RENDERERS.card(card, ctx))));
    // In a right-to-left layout the next card is to the left.
    const step = (dir) => track.scrollBy({ left: (getComputedStyle(track).direction === 'rtl' ? -dir : dir) * track.clientWidth * 0.8, behavior: 'smooth' });
    track.addEventListener('keydown', (e) => {
      const rtl = getComputedStyle(track).direction === 'rtl';
      if (e.key === 'ArrowRight') { step(rtl ? -1 : 1); e.preventDefault(); }
      if (e.key === 'ArrowLeft') { step(rtl ? 1 : -1); e.preventDefault(); }
    });
    return h('div', { part: 'carousel', role: 'group', 'aria-roledescription': 'carousel', 'aria-label': ctx.strings.carousel_label },
      h('button', { type: 'button', part: 'carousel-prev', 'aria-label': ctx.strings.carousel_prev, onclick: () => step(-1) }, '‹'),
      track,
      h('button', { type: 'button', part: 'carousel-next', 'aria-label': ctx.strings.carousel_next, onclick: () => step(1) }, '›'));
  },
  buttons(c, ctx) {
    return h('div', { part: 'buttons' },
      c.text ? h('p', { part: 'buttons-text' }, String(c.text)) : null,
      h('div', { part: 'buttons-row' }, (c.buttons || []).map((b) => renderButton(b, ctx))));
  },
  quick_replies(c, ctx) {
    if (ctx.state.used) return null;
    return h('div', { part: 'quick-replies', role: 'group' }, (c.replies || []).map((r) => h('button', {
      type: 'button', part: 'quick-reply', disabled: ctx.locked,
      onclick: () => {
        ctx.state.used = true;
        ctx.rerender();
        if (r.action) ctx.sendAction(r.action, r.value ?? String(r.label ?? ''));
        else ctx.sendText(String(r.label ?? ''));
      },
    }, String(r.label ?? ''))));
  },
  list(c, ctx) {
    return h('div', { part: 'list' },
      c.title ? h('h4', { part: 'list-title' }, String(c.title)) : null,
      h('ul', { part: 'list-items' }, (c.items || []).map((it) => {
        const body = [image(it.image_url, '', 'list-image'),
          h('span', { part: 'list-text' }, h('span', { part: 'list-item-title' }, String(it.title ?? '')),
            it.subtitle ? h('span', { part: 'list-item-subtitle' }, String(it.subtitle)) : null)];
        return h('li', { part: 'list-item' }, it.action
          ? h('button', { type: 'button', part: 'list-button', disabled: ctx.locked, onclick: () => ctx.sendAction(it.action, it.value ?? null) }, body)
          : body);
      })),
      (c.buttons || []).length ? h('div', { part: 'buttons-row' }, c.buttons.map((b) => renderButton(b, ctx))) : null);
  },
  image(c) {
    const img = image(c.url, c.alt, 'image');
    const link = safeUrl(c.link, IMG_PROTOCOLS);
    return h('figure', { part: 'figure' },
      link && img ? h('a', { href: link, target: '_blank', rel: 'noopener noreferrer nofollow', part: 'image-link' }, img) : img,
      c.caption ? h('figcaption', { part: 'caption' }, String(c.caption)) : null);
  },
  form(c, ctx) {
    const types = { text: 'text', email: 'email', number: 'number', tel: 'tel', date: 'date' };
    const form = h('form', { part: 'form', novalidate: false });
    if (c.title) form.append(h('h4', { part: 'form-title' }, String(c.title)));
    for (const f of c.fields || []) {
      const id = uid('f');
      let input;
      if (f.input === 'select') {
        input = h('select', { part: 'select', class: 'field-input', id, name: String(f.name), required: !!f.required, disabled: ctx.locked },
          h('option', { value: '' }, String(f.placeholder ?? '—')),
          (f.options || []).map((o) => h('option', { value: String(o.value ?? '') }, String(o.label ?? ''))));
      } else if (f.input === 'textarea') {
        input = h('textarea', { part: 'textarea', class: 'field-input', id, name: String(f.name), required: !!f.required, placeholder: f.placeholder, disabled: ctx.locked, rows: '3' });
      } else {
        input = h('input', {
          part: 'input field-input', class: 'field-input', id, name: String(f.name), type: types[f.input] || 'text', required: !!f.required,
          placeholder: f.placeholder, min: f.min, max: f.max, disabled: ctx.locked,
        });
      }
      const prev = ctx.state.values && ctx.state.values[f.name];
      if (prev != null) input.value = String(prev);
      else if (f.value != null) input.value = String(f.value);
      const problem = ctx.state.errors && ctx.state.errors[f.name];
      if (problem) {
        input.setAttribute('aria-invalid', 'true');
        input.setAttribute('aria-describedby', `${id}-error`);
      }
      form.append(h('div', { part: 'field' },
        h('label', { part: 'label', for: id }, String(f.label ?? f.name), f.required ? h('span', { part: 'required', 'aria-hidden': 'true' }, ' *') : null),
        input,
        problem ? h('div', { part: 'field-error', class: 'field-error', id: `${id}-error` }, String(problem)) : null));
    }
    form.append(h('button', { type: 'submit', part: 'button button-primary form-submit', disabled: ctx.locked }, String(c.submit_label || ctx.strings.form_submit)));
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      if (!form.reportValidity()) return;
      const values = {};
      for (const f of c.fields || []) values[f.name] = form.elements.namedItem(String(f.name))?.value ?? '';
      ctx.state.values = values;
      ctx.sendAction(c.action, values);
    });
    return form;
  },
};

export const withComponents = (Base) =>
  class extends Base {
    _retireQuickReplies() {
      for (const c of this._components.values()) {
        if (c.comp.type === 'quick_replies' && !c.state.used) {
          c.state.used = true;
          this._renderComponent(c);
        }
      }
    }

    // -- components

    _addComponents(m, comps) {
      for (const comp of comps || []) {
        if (!comp || typeof comp !== 'object') continue;
        const id = String(comp.id || uid('cmp'));
        let c = this._components.get(id);
        if (c) continue;
        c = { id, comp, messageId: m.id, state: { disabled: false, pending: false, status: '', used: false }, el: h('div', { class: 'component', part: `component component-${String(comp.type).replace(/[^a-z_]/g, '')}`, 'data-component-id': id }) };
        this._components.set(id, c);
        m.extras.append(c.el);
        this._renderComponent(c);
      }
    }

    _renderComponent(c) {
      const S = this._S();
      const type = String(c.comp.type || '');
      const ctx = {
        component: c.comp, state: c.state, strings: S, h, safeUrl, messageId: c.messageId,
        locked: !!(c.state.disabled || c.state.pending),
        sendAction: (name, value) => this._sendAction(c, name, value),
        sendText: (text) => this._sendText(text),
        rerender: () => this._renderComponent(c),
      };
      ctx.renderDefault = () => (DEFAULT_RENDERERS[type] ? DEFAULT_RENDERERS[type](c.comp, ctx) : null);
      const custom = this.renderers[type] || registry.renderers.get(type);
      let node = null;
      if (typeof custom === 'function') {
        try {
          node = custom(c.comp, ctx);
        } catch (err) {
          console.error('switchboard: custom renderer for', type, 'failed', err);
        }
      }
      if (!(node instanceof Node)) node = ctx.renderDefault();
      const hadFocus = this.shadowRoot.activeElement && c.el.contains(this.shadowRoot.activeElement);
      c.el.replaceChildren(...[node, c.state.status ? h('div', { class: 'component-status', part: 'component-status', role: 'status' }, c.state.status) : null].filter(Boolean));
      c.el.setAttribute('aria-busy', String(!!c.state.pending));
      if (hadFocus) {
        const target = c.el.querySelector('.component-status') || c.el;
        if (target === c.el) c.el.setAttribute('tabindex', '-1');
        target.setAttribute('tabindex', target.getAttribute('tabindex') || '-1');
        target.focus();
      }
      if (c.state.used && c.comp.type === 'quick_replies' && hadFocus) this._els.input.focus();
    }

    _sendAction(c, name, value) {
      if (!name) return;
      const actionId = uid('a');
      c.state.pending = true;
      clearTimeout(c.pendingTimer);
      // If the backend never answers, let the visitor try again.
      c.pendingTimer = setTimeout(() => { c.state.pending = false; this._renderComponent(c); }, 20000);
      this._renderComponent(c);
      this._queue({ type: 'widget.action', action_id: actionId, name: String(name), value: value ?? null, component_id: c.id });
    }

    _updateComponent(ev) {
      const c = this._components.get(ev.component_id);
      if (!c) return;
      if (ev.component && typeof ev.component === 'object') c.comp = { ...ev.component, id: c.id };
      if (typeof ev.disabled === 'boolean') c.state.disabled = ev.disabled;
      if (typeof ev.status === 'string') c.state.status = ev.status;
      c.state.errors = ev.errors && typeof ev.errors === 'object' ? ev.errors : null;
      c.state.pending = false;
      clearTimeout(c.pendingTimer);
      this._renderComponent(c);
    }
  };
