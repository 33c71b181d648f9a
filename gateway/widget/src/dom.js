import { SVGNS } from './env.js';

// ---------------------------------------------------------------- small helpers

export function h(tag, props, ...kids) {
  const el = tag.startsWith('svg:') ? document.createElementNS(SVGNS, tag.slice(4)) : document.createElement(tag);
  if (props) {
    for (const [k, v] of Object.entries(props)) {
      if (v == null || v === false) continue;
      if (k === 'text') el.textContent = String(v);
      else if (k === 'part') {
        // Parts double as class names, so styles (ours and the tenant's css) can use either.
        el.setAttribute('part', v);
        if (!props.class) el.setAttribute('class', v);
      }
      else if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
      else el.setAttribute(k, v === true ? '' : String(v));
    }
  }
  for (const kid of kids.flat(Infinity)) {
    if (kid == null || kid === false) continue;
    el.append(kid instanceof Node ? kid : String(kid));
  }
  return el;
}

/** The URL if it is absolute http(s) (or mailto: for links), else null. With `base`, relative URLs resolve against it. */
export function safeUrl(raw, protocols = ['http:', 'https:', 'mailto:'], base = undefined) {
  if (typeof raw !== 'string') return null;
  const s = raw.trim();
  if (!s) return null;
  try {
    const u = base ? new URL(s, base) : new URL(s);
    return protocols.includes(u.protocol) ? u.href : null;
  } catch {
    return null;
  }
}

export const IMG_PROTOCOLS = ['http:', 'https:'];

export function uid(prefix) {
  const bytes = new Uint8Array(9);
  crypto.getRandomValues(bytes);
  return prefix + Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}
