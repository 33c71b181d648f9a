import { MOBILE_QUERY } from './env.js';

// ---------------------------------------------------------------- styles

export const BASE_CSS = `
:host { all: initial; display: block; font-family: var(--sb-font, system-ui, sans-serif); font-size: var(--sb-font-size, 15px);
  line-height: 1.45; color: var(--sb-text); --sb-radius: 14px; --sb-width: 380px; --sb-height: 600px; --sb-gap: 20px; }
:host([hidden]) { display: none; }
:host([data-layout=embedded]) { height: 100%; }
*, *::before, *::after { box-sizing: border-box; }
.sr-only { position: absolute; width: 1px; height: 1px; margin: -1px; padding: 0; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; border: 0; }
button, input, select, textarea { font: inherit; color: inherit; }
:focus-visible { outline: 3px solid var(--sb-accent-readable); outline-offset: 2px; }
.root.floating { position: fixed; inset-inline-end: var(--sb-gap); inset-block-end: var(--sb-gap); z-index: 2147483000; display: flex; flex-direction: column; align-items: flex-end; gap: 12px; }
.root.floating.left { inset-inline-end: auto; inset-inline-start: var(--sb-gap); align-items: flex-start; }
.root.embedded { height: 100%; min-height: 420px; }
.root.fullpage { position: fixed; inset: 0; z-index: 2147483000; }
.panel { display: flex; flex-direction: column; background: var(--sb-bg); color: var(--sb-text); overflow: hidden; }
.floating .panel { width: min(var(--sb-width), calc(100vw - 2 * var(--sb-gap))); height: min(var(--sb-height), calc(100vh - 120px));
  border-radius: var(--sb-panel-radius, var(--sb-radius)); box-shadow: var(--sb-shadow, 0 12px 40px rgba(0,0,0,.22)); border: 1px solid var(--sb-border); }
.embedded .panel { height: 100%; border: 1px solid var(--sb-border); border-radius: var(--sb-panel-radius, var(--sb-radius)); }
.fullpage .panel { height: 100%; }
.panel[hidden] { display: none; }
.launcher { display: inline-flex; align-items: center; gap: 10px; min-width: var(--sb-launcher-size, 58px); height: var(--sb-launcher-size, 58px);
  padding: 0 18px; border: 0; border-radius: 999px; background: var(--sb-launcher-bg); color: var(--sb-launcher-text); cursor: pointer;
  box-shadow: var(--sb-shadow, 0 8px 24px rgba(0,0,0,.25)); position: relative; font-weight: 600; }
.launcher svg { width: 26px; height: 26px; flex: none; }
.badge { position: absolute; inset-block-start: -4px; inset-inline-end: -4px; min-width: 22px; height: 22px; border-radius: 11px; padding: 0 6px; background: #b00020; color: #fff;
  font-size: 12px; line-height: 22px; text-align: center; }
.badge[hidden] { display: none; }
.header { display: flex; align-items: center; gap: 12px; padding: 14px 16px; background: var(--sb-header-bg); color: var(--sb-header-text); }
.header .avatar { width: 38px; height: 38px; }
.header-text { flex: 1; min-width: 0; }
.title { font-weight: 700; font-size: 1.05em; margin: 0; }
.subtitle { font-size: .85em; opacity: 1; }
.header-actions { display: flex; gap: 6px; }
.header-button { white-space: nowrap; background: transparent; border: 1px solid currentColor; color: inherit; border-radius: 999px; padding: 5px 10px; cursor: pointer; font-size: .8em; }
.header-button.icon { border-color: transparent; font-size: 1.2em; line-height: 1; padding: 4px 8px; }
.header-button[hidden] { display: none; }
.h-centered .header { flex-direction: column; text-align: center; gap: 6px; padding: 18px 16px 14px; position: relative; }
.h-centered .header .avatar { width: 52px; height: 52px; }
.h-centered .header-actions { position: static; }
.h-centered .close { position: absolute; inset-block-start: 8px; inset-inline-end: 8px; }
.h-compact .header { padding: 8px 12px; }
.h-compact .header .avatar, .h-compact .subtitle { display: none; }
.h-minimal .header { background: var(--sb-bg); color: var(--sb-text); border-bottom: 1px solid var(--sb-border); }
.avatar { border-radius: 50%; flex: none; width: 30px; height: 30px; object-fit: cover; display: inline-grid; place-items: center;
  background: var(--sb-accent); color: var(--sb-on-accent); font-weight: 700; font-size: .85em; }
.log-area { flex: 1; min-height: 0; position: relative; display: flex; flex-direction: column; }
.new-messages { position: absolute; inset-block-end: 10px; inset-inline-start: 50%; transform: translateX(-50%); z-index: 1;
  border: 0; border-radius: 999px; padding: 6px 14px; min-height: 32px; background: var(--sb-accent); color: var(--sb-on-accent);
  box-shadow: 0 4px 14px rgba(0,0,0,.25); cursor: pointer; font-size: .85em; font-weight: 600; white-space: nowrap; }
[dir="rtl"] .new-messages { transform: translateX(50%); }
.new-messages[hidden] { display: none; }
.log { flex: 1; overflow-y: auto; padding: 16px; display: flex; flex-direction: column; gap: 10px; overscroll-behavior: contain; }
.row { display: flex; gap: 8px; align-items: flex-start; max-width: 100%; }
.row.visitor { flex-direction: row-reverse; }
.stack { display: flex; flex-direction: column; gap: 4px; max-width: 82%; min-width: 0; }
.row.visitor .stack { align-items: flex-end; }
.bubble { padding: 9px 13px; border-radius: var(--sb-radius); background: var(--sb-bot-bg); color: var(--sb-bot-text); overflow-wrap: anywhere; }
.row.visitor .bubble { background: var(--sb-user-bg); color: var(--sb-user-text); white-space: pre-wrap; }
.row.pending .bubble { opacity: .75; }
.b-square .bubble { border-radius: min(var(--sb-radius), 4px); }
.b-pill .bubble { border-radius: 22px; padding: 9px 16px; }
.b-tail .row:not(.visitor) .bubble { border-end-start-radius: 3px; }
.b-tail .row.visitor .bubble { border-end-end-radius: 3px; }
.b-leaf .bubble { border-radius: 0; border-start-start-radius: var(--sb-radius); border-end-end-radius: var(--sb-radius); }
.b-leaf .row.visitor .bubble { border-radius: 0; border-start-end-radius: var(--sb-radius); border-end-start-radius: var(--sb-radius); }
.author { font-size: .78em; color: var(--sb-muted); }
.bubble > :first-child, .content > :first-child { margin-top: 0; }
.content > :last-child { margin-bottom: 0; }
.content p, .content ul, .content ol, .content pre, .content blockquote { margin: 0 0 .5em; }
.content ul, .content ol { padding-inline-start: 1.3em; }
.content h3, .content h4, .content h5, .content h6 { margin: .2em 0 .4em; font-size: 1em; }
.content a { color: var(--sb-link); }
.row.visitor .content a { color: inherit; }
.content code { font-family: ui-monospace, monospace; font-size: .9em; background: rgba(127,127,127,.16); padding: 0 .25em; border-radius: 4px; }
.content pre { background: rgba(127,127,127,.14); padding: 8px; border-radius: 6px; overflow-x: auto; }
.content pre code { background: none; padding: 0; }
.content blockquote { border-inline-start: 3px solid var(--sb-border); padding-inline-start: 8px; }
.content .md-code-wrap { position: relative; margin: 0 0 .5em; }
.content .md-code-wrap pre { margin: 0; padding-inline-end: 4.5em; }
.md-copy { position: absolute; inset-block-start: 4px; inset-inline-end: 4px; min-height: 24px; min-width: 24px; padding: 2px 8px;
  font: inherit; font-size: .78em; border: 1px solid var(--sb-border); border-radius: 6px; background: var(--sb-bg); color: var(--sb-text); cursor: pointer; }
.md-copy:focus-visible { outline: 2px solid var(--sb-accent); outline-offset: 1px; }
.md-copy[data-state="copied"] { border-color: var(--sb-accent); }
.content .md-table-wrap { overflow-x: auto; margin: 0 0 .5em; max-width: 100%; }
.content .md-table-wrap:focus-visible { outline: 2px solid var(--sb-accent); }
.content table { border-collapse: collapse; font-size: .92em; }
.content th, .content td { border: 1px solid var(--sb-border); padding: 4px 8px; text-align: start; vertical-align: top; }
.content th { font-weight: 600; }
.content [data-align="center"] { text-align: center; }
.content [data-align="end"] { text-align: end; }
.content li > ul, .content li > ol { margin: .2em 0 0; }
.streaming .content::after { content: '▍'; animation: sb-blink 1s steps(2) infinite; }
mark { background: var(--sb-flag-bg); color: var(--sb-flag-text); text-decoration: underline wavy #b36b00; text-underline-offset: 3px; border-radius: 2px; }
.withheld, .replaced { font-style: italic; }
.note { font-size: .8em; color: var(--sb-muted); }
.flag-note { font-size: .8em; background: var(--sb-flag-bg); color: var(--sb-flag-text); border-radius: 6px; padding: 4px 8px; }
.flag-note .flag-reason { opacity: .8; }
.flag-ask { font: inherit; color: inherit; background: none; border: 1px solid currentColor; border-radius: 4px; padding: 0 6px; cursor: pointer; }
.meta { display: flex; gap: 6px; align-items: center; flex-wrap: wrap; font-size: .8em; color: var(--sb-muted); }
.time { font-variant-numeric: tabular-nums; border-radius: 3px; }
.time:focus-visible::after { content: ' · ' attr(title); }
.message-status[data-state="failed"] { color: var(--sb-error); font-weight: 600; }
/* "Sent" shows under the visitor's latest sent message only; sending and failed show under every one. */
.row.visitor:has(~ .row.visitor [data-state="sent"]) .message-status[data-state="sent"] { display: none; }
.feedback { display: inline-flex; align-items: center; background: transparent; border: 1px solid var(--sb-border); border-radius: 999px; padding: 1px 8px; cursor: pointer; color: var(--sb-muted); }
.feedback[aria-pressed="true"] { background: var(--sb-accent); color: var(--sb-on-accent); border-color: var(--sb-accent); }
.sources { font-size: .8em; color: var(--sb-muted); display: flex; flex-wrap: wrap; align-items: center; gap: 4px 8px; }
.sources a { color: var(--sb-link); }
.sources ol { list-style: none; margin: 0; padding: 0; display: flex; flex-wrap: wrap; gap: 4px 10px; }
.citation { display: inline-flex; align-items: center; gap: 4px; }
.citation-number { display: inline-block; min-width: 1.5em; padding: 0 .3em; border: 1px solid var(--sb-border); border-radius: 999px;
  text-align: center; font-variant-numeric: tabular-nums; line-height: 1.4; }
.system { align-self: center; display: flex; align-items: center; gap: 8px; font-size: .82em; color: var(--sb-muted); text-align: center; max-width: 90%; }
.typing { display: flex; align-items: center; gap: 8px; font-size: .82em; color: var(--sb-muted); padding: 0 16px 6px; min-height: 1.4em; }
.typing[hidden] { display: none; }
.dots { display: inline-flex; gap: 3px; }
.dots i { width: 6px; height: 6px; border-radius: 50%; background: currentColor; animation: sb-bounce 1.2s infinite ease-in-out; }
.dots i:nth-child(2) { animation-delay: .15s; } .dots i:nth-child(3) { animation-delay: .3s; }
.composer { display: flex; gap: 8px; padding: 10px 12px; border-top: 1px solid var(--sb-border); background: var(--sb-bg); align-items: flex-end; }
.input { flex: 1; resize: none; min-height: 42px; max-height: 140px; padding: 10px 12px; border: 1px solid var(--sb-border); border-radius: var(--sb-input-radius, var(--sb-radius));
  background: var(--sb-surface); color: var(--sb-text); }
.input::placeholder { color: var(--sb-muted); opacity: 1; }
.input:placeholder-shown { white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
.send { border: 0; border-radius: var(--sb-input-radius, var(--sb-radius)); background: var(--sb-accent); color: var(--sb-on-accent); padding: 0 16px; min-height: 42px; cursor: pointer; font-weight: 600; }
.components { display: flex; flex-direction: column; gap: 8px; width: 100%; }
.component[aria-busy="true"] { opacity: .7; }
.component-status { font-size: .85em; color: var(--sb-text); padding: 4px 2px; }
.field-error { font-size: .85em; color: var(--sb-error); padding-top: 2px; }
.card { border: 1px solid var(--sb-border); border-radius: var(--sb-radius); overflow: hidden; background: var(--sb-bg); min-width: 200px; }
.card-image { display: block; width: 100%; max-height: 160px; object-fit: cover; }
.card-body { padding: 10px 12px; display: flex; flex-direction: column; gap: 4px; }
.card-title { margin: 0; font-size: 1em; }
.card-subtitle, .list-item-subtitle { margin: 0; color: var(--sb-muted); font-size: .85em; }
.card-text { margin: 0; }
.card-buttons, .buttons-row { display: flex; flex-wrap: wrap; gap: 6px; margin-top: 4px; }
.button, .quick-reply { border: 1px solid var(--sb-accent-readable); background: var(--sb-bg); color: var(--sb-accent-readable); border-radius: var(--sb-button-radius, 999px);
  padding: 6px 12px; cursor: pointer; text-decoration: none; font-size: .9em; display: inline-block; }
.button-primary { background: var(--sb-accent); color: var(--sb-on-accent); border-color: var(--sb-accent); }
.button-link { border-color: transparent; text-decoration: underline; }
.button:disabled, .quick-reply:disabled, .list-button:disabled { opacity: .55; cursor: not-allowed; }
.buttons-text, .list-title, .form-title { margin: 0 0 4px; font-size: .95em; }
.quick-replies { display: flex; flex-wrap: wrap; gap: 6px; justify-content: flex-end; }
.carousel { display: flex; align-items: center; gap: 4px; max-width: 100%; }
.carousel-track { display: flex; gap: 8px; overflow-x: auto; scroll-snap-type: x mandatory; padding: 2px; flex: 1; }
.carousel-slide { scroll-snap-align: start; flex: 0 0 78%; }
.carousel-prev, .carousel-next { border: 1px solid var(--sb-border); background: var(--sb-bg); color: var(--sb-text); border-radius: 50%; width: 30px; height: 30px; cursor: pointer; flex: none; }
.list { border: 1px solid var(--sb-border); border-radius: var(--sb-radius); padding: 8px; background: var(--sb-bg); }
.list-items { list-style: none; margin: 0; padding: 0; display: flex; flex-direction: column; }
.list-item + .list-item { border-top: 1px solid var(--sb-border); }
.list-button { all: unset; box-sizing: border-box; width: 100%; cursor: pointer; display: flex; }
.list-button:focus-visible { outline: 3px solid var(--sb-accent-readable); }
.list-item > span, .list-button { gap: 8px; padding: 6px 4px; align-items: center; }
.list-item { display: flex; }
.list-image { width: 40px; height: 40px; object-fit: cover; border-radius: 6px; }
.list-text { display: flex; flex-direction: column; }
.figure { margin: 0; }
.image { max-width: 100%; border-radius: var(--sb-radius); display: block; }
.caption { font-size: .8em; color: var(--sb-muted); }
.form { display: flex; flex-direction: column; gap: 8px; border: 1px solid var(--sb-border); border-radius: var(--sb-radius); padding: 10px 12px; background: var(--sb-bg); }
.field { display: flex; flex-direction: column; gap: 3px; }
.label { font-size: .85em; font-weight: 600; }
.field input, .field select, .field textarea { padding: 7px 9px; border: 1px solid var(--sb-border); border-radius: 6px; background: var(--sb-surface); color: var(--sb-text); }
.form-submit { align-self: flex-start; }
/* Touch targets of at least 24x24 px (WCAG 2.2 AA 2.5.8), whatever the tenant's font size. */
button, [role="button"], .button, .quick-reply { min-height: 24px; min-width: 24px; }
.feedback { min-height: 28px; min-width: 36px; justify-content: center; }
.flag-ask { min-height: 24px; }
.sources a, .sources .source { display: inline-flex; align-items: center; min-height: 24px; }
.header-button.icon { min-width: 32px; min-height: 32px; }
/* The header stays a header: the title and the subtitle take two lines at most, then end in an ellipsis. */
.title, .subtitle { display: -webkit-box; -webkit-box-orient: vertical; -webkit-line-clamp: 2; overflow: hidden; overflow-wrap: anywhere; }
@media ${MOBILE_QUERY} {
  .floating .panel { position: fixed; inset: 0; width: auto; height: 100vh; height: 100dvh; max-height: none;
    border-radius: 0; border: 0; box-shadow: none; }
  .root.floating[data-open] > :not(.panel) { display: none; }
  .input, .field input, .field select, .field textarea { font-size: max(16px, 1em); }
  .header { gap: 8px; padding: 8px; padding-inline-start: 12px; }
  .header .avatar { width: 30px; height: 30px; }
  .h-centered .header { flex-direction: row; text-align: start; padding: 8px; padding-inline-start: 12px; }
  .h-centered .header .avatar { width: 30px; height: 30px; }
  .h-centered .close { position: static; }
  .subtitle { -webkit-line-clamp: 1; }
  .header-button:not(.icon) { max-width: 10em; overflow: hidden; text-overflow: ellipsis; min-height: 32px; }
  .header-button.icon { min-width: 40px; min-height: 40px; }
  .sources { font-size: .9em; }
  .feedback { min-height: 32px; min-width: 40px; }
}
@keyframes sb-blink { to { visibility: hidden; } }
@keyframes sb-bounce { 0%, 80%, 100% { transform: translateY(0); opacity: .5; } 40% { transform: translateY(-4px); opacity: 1; } }
@keyframes sb-slide-up { from { transform: translateY(16px); opacity: 0; } }
@keyframes sb-fade { from { opacity: 0; } }
@keyframes sb-pop { 0% { transform: scale(.85); opacity: 0; } 70% { transform: scale(1.03); } }
@keyframes sb-slide-in { from { transform: translateX(var(--sb-slide-from, -12px)); opacity: 0; } }
.a-slide .panel:not([hidden]) { animation: sb-slide-up .25s ease-out; }
.a-slide .row, .a-slide .system { animation: sb-slide-in .2s ease-out; }
.a-slide .row.visitor { --sb-slide-from: 12px; }
[dir="rtl"].a-slide .row { --sb-slide-from: 12px; }
[dir="rtl"].a-slide .row.visitor { --sb-slide-from: -12px; }
.a-fade .panel:not([hidden]), .a-fade .row, .a-fade .system { animation: sb-fade .3s ease-out; }
.a-pop .panel:not([hidden]) { animation: sb-pop .28s cubic-bezier(.2,.9,.3,1.3); transform-origin: bottom right; }
[dir="rtl"].a-pop .panel:not([hidden]) { transform-origin: bottom left; }
.a-pop .row { animation: sb-pop .22s ease-out; }
.a-none *, .a-none { animation: none !important; }
@media (prefers-reduced-motion: reduce) { *, .panel:not([hidden]) { animation: none !important; } .streaming .content::after { animation: none; } }
`;
