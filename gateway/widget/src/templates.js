import { h, safeUrl } from './dom.js';

// ---------------------------------------------------------------- tenant templates (admin HTML, scrubbed)

export const URL_ATTRS = new Set(['href', 'src', 'xlink:href', 'action', 'formaction', 'srcset', 'poster', 'background']);
export function scrub(root) {
  root.querySelectorAll('script,iframe,object,embed,link,meta,base,frame,frameset,noscript,template').forEach((n) => n.remove());
  for (const el of root.querySelectorAll('*')) {
    for (const attr of Array.from(el.attributes)) {
      const name = attr.name.toLowerCase();
      if (name.startsWith('on') || name === 'srcdoc') el.removeAttribute(attr.name);
      else if (URL_ATTRS.has(name) && !safeUrl(attr.value, undefined, location.href)) el.removeAttribute(attr.name);
    }
  }
}

/** Build a node from a tenant HTML template: data-sb-text="key" gets text, data-sb-slot="x" gets slots[x]. */
export function fromTemplate(html, texts, slots, actions) {
  const tpl = document.createElement('template');
  tpl.innerHTML = String(html); // inert: nothing loads or runs inside template content
  scrub(tpl.content);
  for (const n of tpl.content.querySelectorAll('[data-sb-text]')) n.textContent = texts[n.getAttribute('data-sb-text')] ?? '';
  for (const n of tpl.content.querySelectorAll('[data-sb-slot]')) {
    const slot = slots[n.getAttribute('data-sb-slot')];
    if (slot) n.append(slot);
  }
  for (const n of tpl.content.querySelectorAll('[data-sb-action]')) {
    const fn = actions[n.getAttribute('data-sb-action')];
    if (fn) n.addEventListener('click', fn);
  }
  const kids = Array.from(tpl.content.children);
  const node = kids.length === 1 ? kids[0] : h('div', null, kids);
  document.adoptNode(node);
  return node;
}
