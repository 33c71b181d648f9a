export const TAG = 'switchboard-chat';

export const VERSION = '1.0.0';
export const SCRIPT = document.currentScript;
export const SCRIPT_ORIGIN = SCRIPT && SCRIPT.src ? new URL(SCRIPT.src, location.href).origin : location.origin;
export const SVGNS = 'http://www.w3.org/2000/svg';
export const MAX_CACHED_EVENTS = 400;
export const CACHE_VERSION = 2;
export const HISTORY_PAGE = 200;
/** Below this width the floating panel fills the screen and the page behind it stops scrolling. */
export const MOBILE_QUERY = '(max-width: 600px)';

/** message.cancelled reasons meaning a person took the conversation over (orchestrator: agent_joined). */
export const TAKEOVER_REASONS = new Set(['agent_joined', 'handoff', 'takeover']);

/** Custom component renderers and JS template overrides registered by the host page. */
export const registry = { renderers: new Map(), templates: {} };
