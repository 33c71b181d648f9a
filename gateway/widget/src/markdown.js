import { IMG_PROTOCOLS, h, safeUrl } from './dom.js';
import { fmt } from './i18n.js';

// ---------------------------------------------------------------- safe markdown (DOM only)

/**
 * Render markdown to a fragment of DOM nodes. Offsets into `text` are kept so that flags
 * (start/end char offsets of a sentence in the reply) wrap exactly the text they concern.
 * Raw HTML in the text stays text. Links are kept only for http(s)/mailto.
 */
export function renderMarkdown(text, flags, S) {
  const ctx = { text, flags: (flags || []).slice().sort((a, b) => a.start - b.start), S };
  const frag = document.createDocumentFragment();
  const lines = [];
  for (let i = 0; ; ) {
    let j = text.indexOf('\n', i);
    if (j < 0) j = text.length;
    lines.push([i, j]);
    if (j >= text.length) break;
    i = j + 1;
  }
  const line = (k) => text.slice(lines[k][0], lines[k][1]);
  const blank = (k) => /^\s*$/.test(line(k));
  const LIST = /^(\s*)([-*+]|\d{1,9}[.)])\s+/;
  const starts = (k) => /^\s*(```|~~~|#{1,6}\s|>)/.test(line(k)) || LIST.test(line(k));
  let k = 0;
  while (k < lines.length) {
    if (blank(k)) {
      k++;
      continue;
    }
    const s = line(k);
    const ls = lines[k][0];
    let m;
    if ((m = /^\s*(```|~~~)(.*)$/.exec(s))) {
      const fence = m[1];
      const code = h('code', { part: 'md-code-block' });
      const lang = m[2].trim();
      if (lang) code.setAttribute('data-lang', lang.slice(0, 40));
      k++;
      const first = k;
      while (k < lines.length && !line(k).trimStart().startsWith(fence)) k++;
      if (k > first) emitText(code, lines[first][0], lines[k - 1][1], ctx);
      k++;
      frag.append(h('pre', { part: 'md-pre' }, code));
      continue;
    }
    if ((m = /^(\s*)(#{1,6})\s+/.exec(s))) {
      const level = Math.min(6, m[2].length + 2);
      const el = h('h' + level, { part: 'md-heading' });
      inline(el, ls + m[0].length, lines[k][1], ctx);
      frag.append(el);
      k++;
      continue;
    }
    if (/^\s*([-*_])(\s*\1){2,}\s*$/.test(s)) {
      frag.append(h('hr', { part: 'md-hr' }));
      k++;
      continue;
    }
    if (/^\s*>/.test(s)) {
      const el = h('blockquote', { part: 'md-quote' });
      let firstLine = true;
      while (k < lines.length && (m = /^\s*>\s?/.exec(line(k)))) {
        if (!firstLine) el.append(h('br'));
        inline(el, lines[k][0] + m[0].length, lines[k][1], ctx);
        firstLine = false;
        k++;
      }
      frag.append(el);
      continue;
    }
    if ((m = LIST.exec(s))) {
      const ordered = /\d/.test(m[2]);
      const list = h(ordered ? 'ol' : 'ul', { part: 'md-list' });
      if (ordered && parseInt(m[2], 10) !== 1) list.setAttribute('start', String(parseInt(m[2], 10)));
      let item = null;
      while (k < lines.length && !blank(k)) {
        const im = LIST.exec(line(k));
        if (im && /\d/.test(im[2]) === ordered) {
          item = h('li', { part: 'md-item' });
          inline(item, lines[k][0] + im[0].length, lines[k][1], ctx);
          list.append(item);
        } else if (im || starts(k)) {
          break;
        } else {
          item.append(h('br'));
          inline(item, lines[k][0] + (line(k).length - line(k).trimStart().length), lines[k][1], ctx);
        }
        k++;
      }
      frag.append(list);
      continue;
    }
    const p = h('p', { part: 'md-p' });
    let firstLine = true;
    while (k < lines.length && !blank(k) && (firstLine || !starts(k))) {
      if (!firstLine) p.append(h('br'));
      inline(p, lines[k][0], lines[k][1], ctx);
      firstLine = false;
      k++;
    }
    frag.append(p);
  }
  return frag;
}

export function inline(parent, a, b, ctx) {
  const text = ctx.text;
  let i = a;
  let run = a;
  const flush = (to) => {
    if (to > run) emitText(parent, run, to, ctx);
  };
  while (i < b) {
    const c = text[i];
    if (c === '\\' && i + 1 < b && /[\\`*_{}[\]()#+\-.!~>|<]/.test(text[i + 1])) {
      flush(i);
      run = i + 1;
      i += 2;
      continue;
    }
    if (c === '`') {
      let n = 1;
      while (text[i + n] === '`') n++;
      const close = text.indexOf('`'.repeat(n), i + n);
      if (close >= 0 && close + n <= b) {
        flush(i);
        const code = h('code', { part: 'md-code' });
        emitText(code, i + n, close, ctx);
        parent.append(code);
        i = run = close + n;
        continue;
      }
      i += n;
      continue;
    }
    if (c === '*' || c === '_' || (c === '~' && text[i + 1] === '~')) {
      const dbl = text[i + 1] === c;
      const mark = dbl ? c + c : c;
      const inner = i + mark.length;
      const wordBefore = i > 0 && /[\p{L}\p{N}]/u.test(text[i - 1]);
      if (inner < b && !/\s/.test(text[inner]) && !(c === '_' && wordBefore)) {
        const close = findClose(text, mark, inner + 1, b);
        if (close > 0) {
          flush(i);
          const tag = c === '~' ? 'del' : dbl ? 'strong' : 'em';
          const el = h(tag, { part: 'md-' + tag });
          inline(el, inner, close, ctx);
          parent.append(el);
          i = run = close + mark.length;
          continue;
        }
      }
      i += mark.length;
      continue;
    }
    if (c === '[' || (c === '!' && text[i + 1] === '[')) {
      const lb = c === '!' ? i + 1 : i;
      const rb = matchBracket(text, lb, b);
      if (rb > 0 && text[rb + 1] === '(') {
        const rp = text.indexOf(')', rb + 2);
        if (rp > 0 && rp < b) {
          flush(i);
          const target = text.slice(rb + 2, rp).trim().split(/\s+/)[0].replace(/^<|>$/g, '');
          const href = safeUrl(target);
          const el = href
            ? h('a', { part: 'md-link', href, target: '_blank', rel: 'noopener noreferrer nofollow ugc' })
            : h('span', { part: 'md-link-blocked' });
          inline(el, lb + 1, rb, ctx);
          parent.append(el);
          i = run = rp + 1;
          continue;
        }
      }
      i++;
      continue;
    }
    if ((c === 'h' || c === 'H') && (i === a || !/[\p{L}\p{N}]/u.test(text[i - 1]))) {
      const m = /^https?:\/\/[^\s<>"'`]+/i.exec(text.slice(i, b));
      if (m) {
        const raw = m[0].replace(/[.,;:!?)\]]+$/, '');
        const href = safeUrl(raw, IMG_PROTOCOLS);
        if (href) {
          flush(i);
          const el = h('a', { part: 'md-link', href, target: '_blank', rel: 'noopener noreferrer nofollow ugc' });
          emitText(el, i, i + raw.length, ctx);
          parent.append(el);
          i = run = i + raw.length;
          continue;
        }
      }
    }
    i++;
  }
  flush(b);
}

export function findClose(text, mark, from, b) {
  for (let p = text.indexOf(mark, from); p >= 0 && p + mark.length <= b; p = text.indexOf(mark, p + 1)) {
    if (/\s/.test(text[p - 1])) continue;
    if (mark.length === 1 && text[p + 1] === mark) {
      p++;
      continue;
    }
    if (mark[0] === '_' && p + mark.length < text.length && /[\p{L}\p{N}]/u.test(text[p + mark.length])) continue;
    return p;
  }
  return -1;
}

export function matchBracket(text, lb, b) {
  let depth = 0;
  for (let p = lb; p < b; p++) {
    if (text[p] === '\\') p++;
    else if (text[p] === '[') depth++;
    else if (text[p] === ']' && --depth === 0) return p;
  }
  return -1;
}

/** Append text[a:b] to parent as text nodes, wrapping the parts flags cover. */
export function emitText(parent, a, b, ctx) {
  let pos = a;
  for (const f of ctx.flags) {
    if (f.end <= pos || f.start >= b) continue;
    const s = Math.max(f.start, pos);
    const e = Math.min(f.end, b);
    if (s > pos) parent.append(ctx.text.slice(pos, s));
    const first = s === f.start;
    const reason = fmt(ctx.S.flagged, { reason: f.reason || '' });
    if (f.action === 'withhold') {
      if (first) parent.append(h('span', { part: 'withheld', title: reason }, ctx.S.withheld));
    } else if (f.action === 'replace') {
      if (first) parent.append(h('span', { part: 'replaced', title: ctx.S.replaced }, String(f.replacement ?? '')));
    } else {
      parent.append(
        h('mark', { part: 'flag', title: reason, 'data-flag-start': f.start }, ctx.text.slice(s, e)),
      );
    }
    pos = e;
  }
  if (b > pos) parent.append(ctx.text.slice(pos, b));
}
