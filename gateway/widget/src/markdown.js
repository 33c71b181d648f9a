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
  const indentOf = (k) => line(k).length - line(k).trimStart().length;
  const tableAt = (k) => k + 1 < lines.length && line(k).includes('|') && tableAlign(line(k + 1), cells(text, lines[k]).length);
  const starts = (k) => /^\s*(```|~~~|#{1,6}\s|>)/.test(line(k)) || LIST.test(line(k)) || Boolean(tableAt(k));
  /** A list from line k0 (nested lists by indentation, blank lines between items allowed): [element, next line]. */
  const parseList = (k0) => {
    const m0 = LIST.exec(line(k0));
    const indent = m0[1].length;
    const ordered = /\d/.test(m0[2]);
    const list = h(ordered ? 'ol' : 'ul', { part: 'md-list' });
    if (ordered && parseInt(m0[2], 10) !== 1) list.setAttribute('start', String(parseInt(m0[2], 10)));
    let item = null;
    let k = k0;
    while (k < lines.length) {
      if (blank(k)) {
        let n = k;
        while (n < lines.length && blank(n)) n++;
        const nm = n < lines.length && LIST.exec(line(n));
        const sameList = nm && nm[1].length + 1 >= indent && /\d/.test(nm[2]) === ordered;
        const nested = nm && item && nm[1].length >= indent + 2;
        if (!sameList && !nested) break;
        k = n;
        continue;
      }
      const im = LIST.exec(line(k));
      if (im && item && im[1].length >= indent + 2) {
        const [sub, next] = parseList(k);
        item.append(sub);
        k = next;
        continue;
      }
      if (im) {
        if (im[1].length + 1 < indent || /\d/.test(im[2]) !== ordered) break;
        item = h('li', { part: 'md-item' });
        inline(item, lines[k][0] + im[0].length, lines[k][1], ctx);
        list.append(item);
        k++;
        continue;
      }
      if (starts(k) || !item) break;
      item.append(h('br'));
      inline(item, lines[k][0] + indentOf(k), lines[k][1], ctx);
      k++;
    }
    return [list, k];
  };
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
      frag.append(h('div', { part: 'md-code-wrap' }, h('pre', { part: 'md-pre' }, code), copyButton(code, S)));
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
    const align = tableAt(k);
    if (align) {
      const [table, next] = parseTable(k, align, ctx, lines);
      frag.append(table);
      k = next;
      continue;
    }
    if (LIST.test(s)) {
      const [list, next] = parseList(k);
      frag.append(list);
      k = next;
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

/** The cells of a table row text[ls:le] as [start, end] offsets (outer pipes dropped, `\|` kept in its cell). */
export function cells(text, [ls, le]) {
  let a = ls;
  let b = le;
  while (a < b && /\s/.test(text[a])) a++;
  while (b > a && /\s/.test(text[b - 1])) b--;
  if (text[a] === '|') a++;
  if (b > a && text[b - 1] === '|' && text[b - 2] !== '\\') b--;
  const out = [];
  let start = a;
  for (let p = a; p <= b; p++) {
    if (p < b && text[p] === '\\') p++;
    else if (p === b || text[p] === '|') {
      let x = start;
      let y = p;
      while (x < y && /\s/.test(text[x])) x++;
      while (y > x && /\s/.test(text[y - 1])) y--;
      out.push([x, y]);
      start = p + 1;
    }
  }
  return out;
}

/** The column alignments if `row` is a GFM table delimiter row (`|---|:---:|--:|`) for `n` columns, else null. */
export function tableAlign(row, n) {
  const t = row.trim().replace(/^\|/, '').replace(/\|$/, '');
  const parts = t.split('|').map((c) => c.trim());
  if (!parts.length || parts.length !== n || !parts.every((c) => /^:?-+:?$/.test(c))) return null;
  return parts.map((c) => (c.startsWith(':') && c.endsWith(':') ? 'center' : c.endsWith(':') ? 'end' : c.startsWith(':') ? 'start' : ''));
}

/** A GFM pipe table from line k (header, delimiter, body rows up to a blank line), in a scrollable wrapper. */
export function parseTable(k, align, ctx, lines) {
  const text = ctx.text;
  const row = (range, tag) => {
    const tr = h('tr', { part: 'md-tr' });
    const cs = cells(text, range);
    for (let c = 0; c < align.length; c++) {
      const cell = h(tag, { part: 'md-' + tag, 'data-align': align[c] || null, scope: tag === 'th' ? 'col' : null });
      if (cs[c]) inline(cell, cs[c][0], cs[c][1], ctx);
      tr.append(cell);
    }
    return tr;
  };
  const thead = h('thead', null, row(lines[k], 'th'));
  const tbody = h('tbody');
  let n = k + 2;
  for (; n < lines.length; n++) {
    const s = text.slice(lines[n][0], lines[n][1]);
    if (!s.trim() || !s.includes('|')) break;
    tbody.append(row(lines[n], 'td'));
  }
  const table = h('table', { part: 'md-table' }, thead, tbody.childNodes.length ? tbody : null);
  // Focusable so a keyboard user can scroll a wide table (WCAG 2.1.1).
  return [h('div', { part: 'md-table-wrap', tabindex: '0' }, table), n];
}

/** "Copy" for a code block: the code's text to the clipboard (or, where the page may not, selected for Ctrl+C). */
export function copyButton(code, S) {
  const label = S.copy_code || 'Copy';
  const button = h('button', { type: 'button', part: 'md-copy' }, label);
  let timer = null;
  const show = (text, state) => {
    button.textContent = text;
    if (state) button.setAttribute('data-state', state);
    else button.removeAttribute('data-state');
    clearTimeout(timer);
    if (state) timer = setTimeout(() => show(label, null), 2000);
  };
  button.addEventListener('click', async () => {
    try {
      await navigator.clipboard.writeText(code.textContent);
      show(S.copied || 'Copied', 'copied');
    } catch {
      const range = document.createRange();
      range.selectNodeContents(code);
      const selection = getSelection();
      selection.removeAllRanges();
      selection.addRange(range);
      show(label, 'selected');
    }
  });
  return button;
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
        const rp = closeParen(text, rb + 2, b);
        if (rp > 0) {
          flush(i);
          const dest = text.slice(rb + 2, rp).trim();
          const gt = dest.indexOf('>');
          const target = dest.startsWith('<') && gt > 0 ? dest.slice(1, gt) : dest.split(/\s+/)[0];
          const href = safeUrl(target);
          const el = href
            ? h('a', { part: 'md-link', href, target: '_blank', rel: 'noopener noreferrer nofollow ugc' })
            : h('span', { part: 'md-link-blocked' });
          ctx.inLink = true; // no link inside a link: its text is text
          inline(el, lb + 1, rb, ctx);
          ctx.inLink = false;
          parent.append(el);
          i = run = rp + 1;
          continue;
        }
      }
      i++;
      continue;
    }
    if (c === '<' && !ctx.inLink) {
      // <https://example.com>: an autolink without its brackets
      const m = /^<(https?:\/\/[^\s<>]+)>/i.exec(text.slice(i, b));
      const href = m && safeUrl(m[1], IMG_PROTOCOLS);
      if (href) {
        flush(i);
        const el = h('a', { part: 'md-link', href, target: '_blank', rel: 'noopener noreferrer nofollow ugc' });
        emitText(el, i + 1, i + 1 + m[1].length, ctx);
        parent.append(el);
        i = run = i + m[0].length;
        continue;
      }
    }
    if (/[hHwW]/.test(c) && !ctx.inLink && (i === a || !/[\p{L}\p{N}/.@-]/u.test(text[i - 1]))) {
      // bare https://… or www.… (GFM autolinks); trailing punctuation and an unbalanced ")" stay text
      const m = /^(?:https?:\/\/|www\.)[^\s<>"'`]+/i.exec(text.slice(i, b));
      if (m) {
        const raw = trimAutolink(m[0]);
        const href = safeUrl(/^www\./i.test(raw) ? 'https://' + raw : raw, IMG_PROTOCOLS);
        if (href && /[\p{L}\p{N}]\.[\p{L}\p{N}]|\/\/[\p{L}\p{N}]/u.test(raw)) {
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

/** The index of the ")" closing a link destination that starts at `from` (nested parentheses balance), else -1. */
export function closeParen(text, from, b) {
  let depth = 1;
  for (let p = from; p < b; p++) {
    const c = text[p];
    if (c === '\\') p++;
    else if (c === '\n') return -1;
    else if (c === '(') depth++;
    else if (c === ')' && --depth === 0) return p;
  }
  return -1;
}

/** A bare URL without the punctuation that ends the sentence around it: "(see https://x.org/a_(b))." keeps "_(b)". */
export function trimAutolink(raw) {
  let url = raw;
  for (;;) {
    const last = url[url.length - 1];
    if (/[.,;:!?*_~'"\]]/.test(last)) url = url.slice(0, -1);
    else if (last === ')' && url.split(')').length > url.split('(').length) url = url.slice(0, -1);
    else return url;
  }
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
