// What makes a brand look like itself: font, colours, layout, bubble shape.
(host) => { const q = (s) => host.shadowRoot.querySelector(s); const cs = (s, p) => getComputedStyle(q(s))[p];
  return {font: cs('.panel', 'fontFamily'), header: cs('.header', 'backgroundColor'), panel: cs('.panel', 'backgroundColor'),
          position: cs('.root', 'position'), radius: cs('.row.assistant .bubble', 'borderTopLeftRadius'),
          sendBg: cs('.send', 'backgroundColor')}; }
