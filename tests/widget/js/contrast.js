// Every visible text in a widget's shadow root: colour vs the effective background behind it,
// semi-transparent layers composited; the WCAG contrast ratio and where it is.
(host) => {
  const parse = (c) => { const m = c.match(/rgba?\(([^)]+)\)/); if (!m) return null;
    const p = m[1].split(/[ ,/]+/).filter(Boolean).map(Number); return [p[0], p[1], p[2], p.length > 3 ? p[3] : 1]; };
  const over = (top, bottom) => [0, 1, 2].map((i) => top[i] * top[3] + bottom[i] * (1 - top[3])).concat(1);
  const lum = (c) => { const [r, g, b] = c.slice(0, 3).map((v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b; };
  const ratio = (a, b) => { const [x, y] = [lum(a), lum(b)].sort((p, q) => q - p); return (x + 0.05) / (y + 0.05); };
  const parentOf = (el) => el.parentElement || (el.parentNode && el.parentNode.host) || null;
  const background = (el) => { const layers = [];
    for (let n = el; n; n = parentOf(n)) { const c = parse(getComputedStyle(n).backgroundColor); if (c && c[3] > 0) { layers.push(c); if (c[3] >= 1) break; } }
    return layers.reduceRight((acc, layer) => over(layer, acc), [255, 255, 255, 1]); };
  const dimmed = (el) => { for (let n = el; n; n = parentOf(n)) { if (n.disabled || Number(getComputedStyle(n).opacity) < 1) return true; } return false; };
  const out = [];
  for (const el of host.shadowRoot.querySelectorAll('*')) {
    const own = [...el.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim());
    const field = ['INPUT', 'TEXTAREA', 'SELECT'].includes(el.tagName) && el.value;
    if (!own && !field) continue;
    const r = el.getBoundingClientRect();
    if (r.width < 2 || r.height < 2 || getComputedStyle(el).visibility === 'hidden' || dimmed(el)) continue;
    const bg = background(el);
    const fg = over(parse(getComputedStyle(el).color), bg);
    out.push({ratio: Math.round(ratio(fg, bg) * 100) / 100, text: (el.value || el.textContent).trim().slice(0, 40),
              part: el.getAttribute('part') || el.tagName, fg: getComputedStyle(el).color, bg: String(bg)});
  }
  return out;
}
