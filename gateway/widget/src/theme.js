// ---------------------------------------------------------------- colours (theme derivation, contrast)

let colorCtx = null;
export function parseColor(value) {
  if (typeof value !== 'string' || !value.trim()) return null;
  colorCtx = colorCtx || document.createElement('canvas').getContext('2d');
  colorCtx.fillStyle = '#010203';
  colorCtx.fillStyle = value;
  const out = colorCtx.fillStyle;
  if (out === '#010203' && value.trim().toLowerCase() !== '#010203') return null;
  if (out.startsWith('#')) return [1, 3, 5].map((i) => parseInt(out.slice(i, i + 2), 16));
  const m = /rgba?\(([^)]+)\)/.exec(out);
  return m ? m[1].split(',').slice(0, 3).map((x) => Math.round(parseFloat(x))) : null;
}
export const hex = (rgb) => '#' + rgb.map((c) => Math.max(0, Math.min(255, Math.round(c))).toString(16).padStart(2, '0')).join('');
export const mix = (a, b, t) => a.map((c, i) => c + (b[i] - c) * t);
export function luminance(rgb) {
  const [r, g, b] = rgb.map((c) => {
    const s = c / 255;
    return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}
export function contrast(a, b) {
  const [x, y] = [luminance(a), luminance(b)].sort((p, q) => q - p);
  return (x + 0.05) / (y + 0.05);
}
/** fg moved toward black or white until it reaches `ratio` against bg. */
export function readable(fg, bg, ratio = 4.5) {
  if (contrast(fg, bg) >= ratio) return fg;
  const target = luminance(bg) > 0.4 ? [0, 0, 0] : [255, 255, 255];
  for (let t = 0.1; t <= 1.001; t += 0.1) {
    const c = mix(fg, target, t);
    if (contrast(c, bg) >= ratio) return c;
  }
  return target;
}
export const onColor = (bg) => (contrast([255, 255, 255], bg) >= contrast([17, 17, 17], bg) ? [255, 255, 255] : [17, 17, 17]);

/** Theme config (snake_case keys) -> CSS custom properties, filling in readable derived colours. */
export function themeVars(theme) {
  const t = theme || {};
  const c = (k, d) => parseColor(t[k]) || d;
  const bg = c('background', [255, 255, 255]);
  const text = readable(c('text', [29, 29, 31]), bg);
  const accent = c('accent', [37, 99, 235]);
  const surface = c('surface', mix(bg, text, 0.05));
  const onAccent = c('accent_text', onColor(accent));
  const userBg = c('user_bubble', accent);
  const botBg = c('bot_bubble', surface);
  const headerBg = c('header_background', accent);
  const vars = {
    '--sb-bg': hex(bg),
    '--sb-text': hex(text),
    '--sb-accent': hex(accent),
    '--sb-on-accent': hex(onAccent),
    '--sb-surface': hex(surface),
    '--sb-border': hex(c('border', mix(bg, text, 0.16))),
    '--sb-muted': hex(readable(c('muted', mix(text, bg, 0.3)), surface)),
    '--sb-user-bg': hex(userBg),
    '--sb-user-text': hex(c('user_text', readable(onColor(userBg), userBg))),
    '--sb-bot-bg': hex(botBg),
    '--sb-bot-text': hex(c('bot_text', readable(text, botBg))),
    '--sb-header-bg': hex(headerBg),
    '--sb-header-text': hex(c('header_text', onColor(headerBg))),
    '--sb-link': hex(c('link', readable(accent, botBg))),
    '--sb-flag-bg': hex(c('flag_background', mix(botBg, [255, 196, 0], 0.35))),
    '--sb-launcher-bg': hex(c('launcher_background', accent)),
    '--sb-launcher-text': hex(c('launcher_text', onColor(c('launcher_background', accent)))),
  };
  vars['--sb-flag-text'] = hex(readable(text, parseColor(vars['--sb-flag-bg'])));
  vars['--sb-accent-readable'] = hex(readable(accent, bg));
  vars['--sb-error'] = hex(readable([176, 0, 32], bg));
  // Any other token passes through as --sb-<name>: radius, font, font_size, shadow, width, height...
  for (const [k, v] of Object.entries(t)) {
    const name = '--sb-' + k.replace(/_/g, '-');
    if (k in THEME_COLOR_KEYS || vars[name]) continue;
    if (typeof v === 'string' || typeof v === 'number') vars[name] = String(v);
  }
  return vars;
}
export const THEME_COLOR_KEYS = Object.fromEntries(
  ['background', 'text', 'accent', 'accent_text', 'surface', 'border', 'muted', 'user_bubble', 'user_text',
    'bot_bubble', 'bot_text', 'header_background', 'header_text', 'link', 'flag_background',
    'launcher_background', 'launcher_text'].map((k) => [k, 1]),
);

export const isDark = (theme) => {
  const bg = parseColor((theme || {}).background);
  return !!bg && luminance(bg) < 0.2;
};
/** Colours that follow the background; the brand's (accent, header, launcher, visitor bubble) stay. */
export const SURFACE_KEYS = ['background', 'text', 'surface', 'border', 'muted', 'bot_bubble', 'bot_text', 'link', 'flag_background', 'accent_text', 'user_text', 'header_text', 'launcher_text'];
/**
 * The theme for dark mode: a theme that is dark already stays as it is; a light one gets a dark
 * background and light text, its brand colours kept (readable colours are derived again), then
 * the tenant's `theme_dark` on top.
 */
export function darkTheme(theme, overrides) {
  const t = { ...(theme || {}) };
  if (!isDark(t)) {
    for (const k of SURFACE_KEYS) delete t[k];
    Object.assign(t, { background: '#16181d', text: '#e8eaed' });
  }
  return { ...t, ...(overrides && typeof overrides === 'object' ? overrides : {}) };
}
export const cssValue = (v) => String(v).replace(/[;{}<>\\]/g, '');
