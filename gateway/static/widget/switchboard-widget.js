/*! Switchboard widget, built from gateway/widget/src by esbuild — edit the
 * sources there and run `make widget`; tests/widget/test_bundle.py fails when this file is not that build. */
(() => {
  // src/env.js
  var TAG = "switchboard-chat";
  var VERSION = "1.0.0";
  var SCRIPT = document.currentScript;
  var SCRIPT_ORIGIN = SCRIPT && SCRIPT.src ? new URL(SCRIPT.src, location.href).origin : location.origin;
  var SVGNS = "http://www.w3.org/2000/svg";
  var MAX_CACHED_EVENTS = 400;
  var CACHE_VERSION = 2;
  var HISTORY_PAGE = 200;
  var MOBILE_QUERY = "(max-width: 600px)";
  var TAKEOVER_REASONS = /* @__PURE__ */ new Set(["agent_joined", "handoff", "takeover"]);
  var registry = { renderers: /* @__PURE__ */ new Map(), templates: {} };

  // src/dom.js
  function h(tag, props, ...kids) {
    const el = tag.startsWith("svg:") ? document.createElementNS(SVGNS, tag.slice(4)) : document.createElement(tag);
    if (props) {
      for (const [k, v] of Object.entries(props)) {
        if (v == null || v === false) continue;
        if (k === "text") el.textContent = String(v);
        else if (k === "part") {
          el.setAttribute("part", v);
          if (!props.class) el.setAttribute("class", v);
        } else if (k.startsWith("on") && typeof v === "function") el.addEventListener(k.slice(2), v);
        else el.setAttribute(k, v === true ? "" : String(v));
      }
    }
    for (const kid of kids.flat(Infinity)) {
      if (kid == null || kid === false) continue;
      el.append(kid instanceof Node ? kid : String(kid));
    }
    return el;
  }
  function safeUrl(raw, protocols = ["http:", "https:", "mailto:"], base = void 0) {
    if (typeof raw !== "string") return null;
    const s = raw.trim();
    if (!s) return null;
    try {
      const u = base ? new URL(s, base) : new URL(s);
      return protocols.includes(u.protocol) ? u.href : null;
    } catch {
      return null;
    }
  }
  var IMG_PROTOCOLS = ["http:", "https:"];
  function uid(prefix) {
    const bytes = new Uint8Array(9);
    crypto.getRandomValues(bytes);
    return prefix + Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  }

  // src/i18n.js
  var STRINGS = {
    title: "Chat with us",
    subtitle: "We usually answer right away",
    subtitle_agent: "You are chatting with {name}",
    placeholder: "Type a message…",
    send: "Send",
    open: "Open chat",
    close: "Close chat",
    launcher_label: "",
    dialog_label: "Chat",
    handoff: "Talk to a human",
    handoff_asked: "You asked to talk to a person.",
    handoff_queued: "Waiting for the next available person…",
    handoff_queued_position: "You are number {position} in the queue.",
    agent_joined: "{name} joined the conversation",
    agent_left: "{name} left the conversation",
    conversation_resolved: "This conversation was closed. Write again any time.",
    typing: "{name} is typing…",
    assistant: "Assistant",
    agent: "Agent",
    you: "You",
    connecting: "Connecting…",
    reconnecting: "Reconnecting…",
    offline: "You are offline",
    sending: "Sending…",
    sent: "Sent",
    not_sent: "Not sent",
    feedback_up: "Helpful",
    feedback_down: "Not helpful",
    feedback_thanks: "Thanks for your feedback",
    sources: "Sources",
    flagged: "Could not be verified: {reason}",
    flag_note: "We could not confirm the highlighted part in our documentation, so it may be wrong. Please double-check it before relying on it.",
    flag_reason: "Why: {reason}",
    flag_ask: "Ask a person",
    withheld: "[removed: could not be verified]",
    replaced: "Corrected",
    cancelled: "Reply stopped",
    stopped_takeover: "Stopped — a person is taking over",
    new_messages: "New messages ↓",
    new_message: "{name}: {text}",
    carousel_label: "Carousel",
    carousel_prev: "Previous",
    carousel_next: "Next",
    slide_label: "{index} of {count}",
    form_submit: "Submit",
    messages_label: "Conversation",
    input_label: "Message",
    unread: "{count} unread",
    error: "Something went wrong ({code})",
    rate_limited: "You are sending messages too fast. Please wait a moment.",
    too_long: "That message is too long.",
    copy_code: "Copy",
    copied: "Copied"
  };
  var TRANSLATIONS = {
    es: {
      title: "Chatea con nosotros",
      subtitle: "Normalmente respondemos al instante",
      subtitle_agent: "Estás hablando con {name}",
      placeholder: "Escribe un mensaje…",
      send: "Enviar",
      open: "Abrir el chat",
      close: "Cerrar el chat",
      dialog_label: "Chat",
      handoff: "Hablar con una persona",
      handoff_asked: "Has pedido hablar con una persona.",
      handoff_queued: "Esperando a la próxima persona disponible…",
      handoff_queued_position: "Eres el número {position} en la cola.",
      agent_joined: "{name} se ha unido a la conversación",
      agent_left: "{name} ha salido de la conversación",
      conversation_resolved: "Esta conversación se ha cerrado. Escríbenos cuando quieras.",
      typing: "{name} está escribiendo…",
      assistant: "Asistente",
      agent: "Agente",
      you: "Tú",
      connecting: "Conectando…",
      reconnecting: "Reconectando…",
      offline: "Estás sin conexión",
      sending: "Enviando…",
      sent: "Enviado",
      not_sent: "No enviado",
      feedback_up: "Útil",
      feedback_down: "No es útil",
      feedback_thanks: "Gracias por tu opinión",
      sources: "Fuentes",
      flagged: "No se pudo verificar: {reason}",
      flag_note: "No pudimos confirmar la parte resaltada en nuestra documentación, así que podría ser incorrecta. Compruébala antes de fiarte de ella.",
      flag_reason: "Motivo: {reason}",
      flag_ask: "Preguntar a una persona",
      withheld: "[eliminado: no se pudo verificar]",
      replaced: "Corregido",
      cancelled: "Respuesta detenida",
      stopped_takeover: "Detenida: una persona se hace cargo",
      new_messages: "Mensajes nuevos ↓",
      carousel_label: "Carrusel",
      carousel_prev: "Anterior",
      carousel_next: "Siguiente",
      slide_label: "{index} de {count}",
      form_submit: "Enviar",
      messages_label: "Conversación",
      input_label: "Mensaje",
      unread: "{count} sin leer",
      error: "Algo salió mal ({code})",
      rate_limited: "Estás enviando mensajes demasiado rápido. Espera un momento.",
      too_long: "Ese mensaje es demasiado largo.",
      copy_code: "Copiar",
      copied: "Copiado"
    },
    fr: {
      title: "Discutez avec nous",
      subtitle: "Nous répondons généralement tout de suite",
      subtitle_agent: "Vous discutez avec {name}",
      placeholder: "Écrivez un message…",
      send: "Envoyer",
      open: "Ouvrir le chat",
      close: "Fermer le chat",
      dialog_label: "Discussion",
      handoff: "Parler à une personne",
      handoff_asked: "Vous avez demandé à parler à une personne.",
      handoff_queued: "En attente de la prochaine personne disponible…",
      handoff_queued_position: "Vous êtes numéro {position} dans la file.",
      agent_joined: "{name} a rejoint la conversation",
      agent_left: "{name} a quitté la conversation",
      conversation_resolved: "Cette conversation est close. Écrivez-nous quand vous voulez.",
      typing: "{name} écrit…",
      assistant: "Assistant",
      agent: "Conseiller",
      you: "Vous",
      connecting: "Connexion…",
      reconnecting: "Reconnexion…",
      offline: "Vous êtes hors ligne",
      sending: "Envoi…",
      sent: "Envoyé",
      not_sent: "Non envoyé",
      feedback_up: "Utile",
      feedback_down: "Pas utile",
      feedback_thanks: "Merci pour votre avis",
      sources: "Sources",
      flagged: "Non vérifié : {reason}",
      flag_note: "Nous n'avons pas pu confirmer la partie surlignée dans notre documentation : elle est peut-être fausse. Vérifiez-la avant de vous y fier.",
      flag_reason: "Pourquoi : {reason}",
      flag_ask: "Demander à une personne",
      withheld: "[supprimé : non vérifié]",
      replaced: "Corrigé",
      cancelled: "Réponse interrompue",
      stopped_takeover: "Interrompue — une personne prend le relais",
      new_messages: "Nouveaux messages ↓",
      carousel_label: "Carrousel",
      carousel_prev: "Précédent",
      carousel_next: "Suivant",
      slide_label: "{index} sur {count}",
      form_submit: "Valider",
      messages_label: "Conversation",
      input_label: "Message",
      unread: "{count} non lus",
      error: "Une erreur s'est produite ({code})",
      rate_limited: "Vous envoyez des messages trop vite. Patientez un instant.",
      too_long: "Ce message est trop long.",
      copy_code: "Copier",
      copied: "Copié"
    },
    de: {
      title: "Chatten Sie mit uns",
      subtitle: "Wir antworten meist sofort",
      subtitle_agent: "Sie chatten mit {name}",
      placeholder: "Nachricht schreiben…",
      send: "Senden",
      open: "Chat öffnen",
      close: "Chat schließen",
      dialog_label: "Chat",
      handoff: "Mit einem Menschen sprechen",
      handoff_asked: "Sie haben darum gebeten, mit einem Menschen zu sprechen.",
      handoff_queued: "Warten auf die nächste freie Person…",
      handoff_queued_position: "Sie sind Nummer {position} in der Warteschlange.",
      agent_joined: "{name} ist dem Gespräch beigetreten",
      agent_left: "{name} hat das Gespräch verlassen",
      conversation_resolved: "Dieses Gespräch wurde beendet. Schreiben Sie uns jederzeit wieder.",
      typing: "{name} schreibt…",
      assistant: "Assistent",
      agent: "Mitarbeiter",
      you: "Sie",
      connecting: "Verbindung wird hergestellt…",
      reconnecting: "Verbindung wird wiederhergestellt…",
      offline: "Sie sind offline",
      sending: "Wird gesendet…",
      sent: "Gesendet",
      not_sent: "Nicht gesendet",
      feedback_up: "Hilfreich",
      feedback_down: "Nicht hilfreich",
      feedback_thanks: "Danke für Ihr Feedback",
      sources: "Quellen",
      flagged: "Nicht bestätigt: {reason}",
      flag_note: "Den markierten Teil konnten wir in unserer Dokumentation nicht bestätigen, er könnte also falsch sein. Bitte prüfen Sie ihn, bevor Sie sich darauf verlassen.",
      flag_reason: "Grund: {reason}",
      flag_ask: "Einen Menschen fragen",
      withheld: "[entfernt: nicht bestätigt]",
      replaced: "Korrigiert",
      cancelled: "Antwort abgebrochen",
      stopped_takeover: "Abgebrochen – ein Mensch übernimmt",
      new_messages: "Neue Nachrichten ↓",
      carousel_label: "Karussell",
      carousel_prev: "Zurück",
      carousel_next: "Weiter",
      slide_label: "{index} von {count}",
      form_submit: "Absenden",
      messages_label: "Gespräch",
      input_label: "Nachricht",
      unread: "{count} ungelesen",
      error: "Etwas ist schiefgelaufen ({code})",
      rate_limited: "Sie senden zu schnell Nachrichten. Bitte warten Sie einen Moment.",
      too_long: "Diese Nachricht ist zu lang.",
      copy_code: "Kopieren",
      copied: "Kopiert"
    },
    pt: {
      title: "Fale conosco",
      subtitle: "Normalmente respondemos na hora",
      subtitle_agent: "Você está conversando com {name}",
      placeholder: "Escreva uma mensagem…",
      send: "Enviar",
      open: "Abrir o chat",
      close: "Fechar o chat",
      dialog_label: "Conversa",
      handoff: "Falar com uma pessoa",
      handoff_asked: "Você pediu para falar com uma pessoa.",
      handoff_queued: "Aguardando a próxima pessoa disponível…",
      handoff_queued_position: "Você é o número {position} na fila.",
      agent_joined: "{name} entrou na conversa",
      agent_left: "{name} saiu da conversa",
      conversation_resolved: "Esta conversa foi encerrada. Escreva de novo quando quiser.",
      typing: "{name} está digitando…",
      assistant: "Assistente",
      agent: "Atendente",
      you: "Você",
      connecting: "Conectando…",
      reconnecting: "Reconectando…",
      offline: "Você está offline",
      sending: "Enviando…",
      sent: "Enviada",
      not_sent: "Não enviada",
      feedback_up: "Útil",
      feedback_down: "Não foi útil",
      feedback_thanks: "Obrigado pela sua opinião",
      sources: "Fontes",
      flagged: "Não foi possível verificar: {reason}",
      flag_note: "Não conseguimos confirmar a parte destacada na nossa documentação, então ela pode estar errada. Confira antes de confiar nela.",
      flag_reason: "Motivo: {reason}",
      flag_ask: "Perguntar a uma pessoa",
      withheld: "[removido: não verificado]",
      replaced: "Corrigido",
      cancelled: "Resposta interrompida",
      stopped_takeover: "Interrompida — uma pessoa está assumindo",
      new_messages: "Novas mensagens ↓",
      carousel_label: "Carrossel",
      carousel_prev: "Anterior",
      carousel_next: "Próximo",
      slide_label: "{index} de {count}",
      form_submit: "Enviar",
      messages_label: "Mensagens",
      input_label: "Mensagem",
      unread: "{count} não lidas",
      error: "Algo deu errado ({code})",
      rate_limited: "Você está enviando mensagens rápido demais. Aguarde um momento.",
      too_long: "Essa mensagem é longa demais.",
      copy_code: "Copiar",
      copied: "Copiado"
    },
    pl: {
      title: "Porozmawiaj z nami",
      subtitle: "Zwykle odpowiadamy od razu",
      subtitle_agent: "Rozmawiasz z: {name}",
      placeholder: "Napisz wiadomość…",
      send: "Wyślij",
      open: "Otwórz czat",
      close: "Zamknij czat",
      dialog_label: "Czat",
      handoff: "Porozmawiaj z człowiekiem",
      handoff_asked: "Poproszono o rozmowę z człowiekiem.",
      handoff_queued: "Czekamy na pierwszą wolną osobę…",
      handoff_queued_position: "Twoje miejsce w kolejce: {position}.",
      agent_joined: "{name} dołącza do rozmowy",
      agent_left: "{name} opuszcza rozmowę",
      conversation_resolved: "Ta rozmowa została zakończona. Napisz do nas w dowolnej chwili.",
      typing: "{name} pisze…",
      assistant: "Asystent",
      agent: "Konsultant",
      you: "Ty",
      connecting: "Łączenie…",
      reconnecting: "Ponowne łączenie…",
      offline: "Brak połączenia z internetem",
      sending: "Wysyłanie…",
      sent: "Wysłano",
      not_sent: "Nie wysłano",
      feedback_up: "Pomocne",
      feedback_down: "Niepomocne",
      feedback_thanks: "Dziękujemy za opinię",
      sources: "Źródła",
      flagged: "Nie udało się zweryfikować: {reason}",
      flag_note: "Nie udało się potwierdzić wyróżnionego fragmentu w naszej dokumentacji, więc może być błędny. Sprawdź go, zanim na nim polegasz.",
      flag_reason: "Powód: {reason}",
      flag_ask: "Zapytaj człowieka",
      withheld: "[usunięto: nie udało się zweryfikować]",
      replaced: "Poprawiono",
      cancelled: "Odpowiedź przerwana",
      stopped_takeover: "Przerwano — rozmowę przejmuje człowiek",
      new_messages: "Nowe wiadomości ↓",
      carousel_label: "Karuzela",
      carousel_prev: "Poprzedni",
      carousel_next: "Następny",
      slide_label: "{index} z {count}",
      form_submit: "Zatwierdź",
      messages_label: "Rozmowa",
      input_label: "Wiadomość",
      unread: "Nieprzeczytane: {count}",
      error: "Coś poszło nie tak ({code})",
      rate_limited: "Wysyłasz wiadomości zbyt szybko. Poczekaj chwilę.",
      too_long: "Ta wiadomość jest za długa.",
      copy_code: "Kopiuj",
      copied: "Skopiowano"
    },
    ar: {
      title: "تحدث معنا",
      subtitle: "نرد عادةً على الفور",
      subtitle_agent: "أنت تتحدث مع {name}",
      placeholder: "اكتب رسالة…",
      send: "إرسال",
      open: "فتح الدردشة",
      close: "إغلاق الدردشة",
      dialog_label: "دردشة",
      handoff: "التحدث إلى شخص",
      handoff_asked: "طلبت التحدث إلى شخص.",
      handoff_queued: "في انتظار أول شخص متاح…",
      handoff_queued_position: "ترتيبك في قائمة الانتظار: {position}.",
      agent_joined: "انضم {name} إلى المحادثة",
      agent_left: "غادر {name} المحادثة",
      conversation_resolved: "تم إغلاق هذه المحادثة. راسلنا في أي وقت.",
      typing: "{name} يكتب…",
      assistant: "المساعد",
      agent: "موظف الدعم",
      you: "أنت",
      connecting: "جارٍ الاتصال…",
      reconnecting: "جارٍ إعادة الاتصال…",
      offline: "أنت غير متصل بالإنترنت",
      sending: "جارٍ الإرسال…",
      sent: "تم الإرسال",
      not_sent: "لم يتم الإرسال",
      feedback_up: "مفيد",
      feedback_down: "غير مفيد",
      feedback_thanks: "شكرًا على ملاحظاتك",
      sources: "المصادر",
      flagged: "تعذّر التحقق: {reason}",
      flag_note: "لم نتمكن من تأكيد الجزء المميّز في وثائقنا، لذا قد يكون غير صحيح. يُرجى التحقق منه قبل الاعتماد عليه.",
      flag_reason: "السبب: {reason}",
      flag_ask: "اسأل شخصًا",
      withheld: "[أُزيل: تعذّر التحقق]",
      replaced: "تم التصحيح",
      cancelled: "توقّف الرد",
      stopped_takeover: "توقّف — شخص يتولى المحادثة",
      new_messages: "رسائل جديدة ↓",
      carousel_label: "عرض دوّار",
      carousel_prev: "السابق",
      carousel_next: "التالي",
      slide_label: "{index} من {count}",
      form_submit: "إرسال",
      messages_label: "المحادثة",
      input_label: "الرسالة",
      unread: "{count} غير مقروءة",
      error: "حدث خطأ ما ({code})",
      rate_limited: "أنت ترسل الرسائل بسرعة كبيرة. يُرجى الانتظار قليلًا.",
      too_long: "هذه الرسالة طويلة جدًا.",
      copy_code: "نسخ",
      copied: "تم النسخ"
    },
    he: {
      title: "דברו איתנו",
      subtitle: "בדרך כלל אנחנו עונים מיד",
      subtitle_agent: "בשיחה עם {name}",
      placeholder: "כתבו הודעה…",
      send: "שליחה",
      open: "פתיחת הצ׳אט",
      close: "סגירת הצ׳אט",
      dialog_label: "צ׳אט",
      handoff: "שיחה עם נציג",
      handoff_asked: "ביקשת לדבר עם נציג.",
      handoff_queued: "ממתינים לנציג הפנוי הבא…",
      handoff_queued_position: "המקום שלך בתור: {position}.",
      agent_joined: "{name} הצטרף/ה לשיחה",
      agent_left: "{name} עזב/ה את השיחה",
      conversation_resolved: "השיחה נסגרה. אפשר לכתוב לנו שוב בכל עת.",
      typing: "{name} מקליד/ה…",
      assistant: "עוזר",
      agent: "נציג",
      you: "את/ה",
      connecting: "מתחבר…",
      reconnecting: "מתחבר מחדש…",
      offline: "אין חיבור לאינטרנט",
      sending: "שולח…",
      sent: "נשלחה",
      not_sent: "לא נשלחה",
      feedback_up: "מועיל",
      feedback_down: "לא מועיל",
      feedback_thanks: "תודה על המשוב",
      sources: "מקורות",
      flagged: "לא ניתן לאמת: {reason}",
      flag_note: "לא הצלחנו לאשר את החלק המסומן בתיעוד שלנו, ולכן ייתכן שהוא שגוי. כדאי לבדוק אותו לפני שמסתמכים עליו.",
      flag_reason: "הסיבה: {reason}",
      flag_ask: "לשאול נציג",
      withheld: "[הוסר: לא ניתן לאמת]",
      replaced: "תוקן",
      cancelled: "התשובה הופסקה",
      stopped_takeover: "הופסקה — נציג ממשיך את השיחה",
      new_messages: "הודעות חדשות ↓",
      carousel_label: "קרוסלה",
      carousel_prev: "הקודם",
      carousel_next: "הבא",
      slide_label: "{index} מתוך {count}",
      form_submit: "שליחה",
      messages_label: "שיחה",
      input_label: "הודעה",
      unread: "{count} שלא נקראו",
      error: "משהו השתבש ({code})",
      rate_limited: "נשלחות הודעות מהר מדי. נא להמתין רגע.",
      too_long: "ההודעה ארוכה מדי.",
      copy_code: "העתקה",
      copied: "הועתק"
    }
  };
  var RTL_LANGUAGES = /* @__PURE__ */ new Set(["ar", "he", "fa", "ur"]);
  function fmt(template, vars) {
    return String(template ?? "").replace(/\{(\w+)\}/g, (m, k) => vars && vars[k] != null ? String(vars[k]) : m);
  }
  function intl(Ctor, lang, options) {
    try {
      return new Ctor(lang, options);
    } catch {
      return new Ctor(void 0, options);
    }
  }
  function relativeTime(date, lang, now = Date.now()) {
    const s = Math.round((date.getTime() - now) / 1e3);
    const rtf = intl(Intl.RelativeTimeFormat, lang, { numeric: "auto", style: "short" });
    if (Math.abs(s) < 45) return rtf.format(0, "second");
    if (Math.abs(s) < 3600) return rtf.format(Math.round(s / 60), "minute");
    if (Math.abs(s) < 86400) return rtf.format(Math.round(s / 3600), "hour");
    return intl(Intl.DateTimeFormat, lang, { dateStyle: "medium", timeStyle: "short" }).format(date);
  }
  var fullTime = (date, lang) => intl(Intl.DateTimeFormat, lang, { dateStyle: "full", timeStyle: "medium" }).format(date);

  // src/components.js
  function renderButton(b, ctx, part = "button") {
    const label = String(b.label ?? "");
    if (!b.action && b.url) {
      const href = safeUrl(b.url, IMG_PROTOCOLS);
      if (href) return h("a", { part: `${part} button-link`, href, target: "_blank", rel: "noopener noreferrer nofollow" }, label);
    }
    return h("button", {
      type: "button",
      part: `${part} button-${["primary", "secondary", "link"].includes(b.style) ? b.style : "secondary"}`,
      disabled: ctx.locked || !b.action,
      onclick: () => ctx.sendAction(b.action, b.value ?? null)
    }, label);
  }
  function thumb(down) {
    return h(
      "svg:svg",
      { viewBox: "0 0 24 24", width: "14", height: "14", "aria-hidden": "true", fill: "currentColor", part: "feedback-icon", transform: down ? "rotate(180)" : null },
      h("svg:path", { d: "M2 10h4v11H2zM8 21h9.2a2 2 0 0 0 2-1.6l1.7-7.6A2 2 0 0 0 19 9.3h-5.3l.8-4.1a1.6 1.6 0 0 0-2.9-1.2L8 10z" })
    );
  }
  function image(url, alt, part) {
    const src = safeUrl(url, IMG_PROTOCOLS, SCRIPT_ORIGIN);
    return src ? h("img", { part, src, alt: String(alt ?? ""), loading: "lazy", referrerpolicy: "no-referrer" }) : null;
  }
  var DEFAULT_RENDERERS = {
    card(c, ctx) {
      return h(
        "article",
        { part: "card" },
        image(c.image_url, c.image_alt, "card-image"),
        h(
          "div",
          { part: "card-body" },
          h("h4", { part: "card-title" }, String(c.title ?? "")),
          c.subtitle ? h("p", { part: "card-subtitle" }, String(c.subtitle)) : null,
          c.text ? h("p", { part: "card-text" }, String(c.text)) : null,
          (c.buttons || []).length ? h("div", { part: "card-buttons" }, c.buttons.map((b) => renderButton(b, ctx))) : null
        )
      );
    },
    carousel(c, ctx) {
      const cards = c.cards || [];
      const track = h("div", { part: "carousel-track", tabindex: "0", role: "list", "aria-label": ctx.strings.carousel_label });
      cards.forEach((card, i) => track.append(h("div", {
        part: "carousel-slide",
        role: "listitem",
        "aria-label": fmt(ctx.strings.slide_label, { index: i + 1, count: cards.length })
      }, DEFAULT_RENDERERS.card(card, ctx))));
      const step = (dir) => track.scrollBy({ left: (getComputedStyle(track).direction === "rtl" ? -dir : dir) * track.clientWidth * 0.8, behavior: "smooth" });
      track.addEventListener("keydown", (e) => {
        const rtl = getComputedStyle(track).direction === "rtl";
        if (e.key === "ArrowRight") {
          step(rtl ? -1 : 1);
          e.preventDefault();
        }
        if (e.key === "ArrowLeft") {
          step(rtl ? 1 : -1);
          e.preventDefault();
        }
      });
      return h(
        "div",
        { part: "carousel", role: "group", "aria-roledescription": "carousel", "aria-label": ctx.strings.carousel_label },
        h("button", { type: "button", part: "carousel-prev", "aria-label": ctx.strings.carousel_prev, onclick: () => step(-1) }, "‹"),
        track,
        h("button", { type: "button", part: "carousel-next", "aria-label": ctx.strings.carousel_next, onclick: () => step(1) }, "›")
      );
    },
    buttons(c, ctx) {
      return h(
        "div",
        { part: "buttons" },
        c.text ? h("p", { part: "buttons-text" }, String(c.text)) : null,
        h("div", { part: "buttons-row" }, (c.buttons || []).map((b) => renderButton(b, ctx)))
      );
    },
    quick_replies(c, ctx) {
      if (ctx.state.used) return null;
      return h("div", { part: "quick-replies", role: "group" }, (c.replies || []).map((r) => h("button", {
        type: "button",
        part: "quick-reply",
        disabled: ctx.locked,
        onclick: () => {
          ctx.state.used = true;
          ctx.rerender();
          if (r.action) ctx.sendAction(r.action, r.value ?? String(r.label ?? ""));
          else ctx.sendText(String(r.label ?? ""));
        }
      }, String(r.label ?? ""))));
    },
    list(c, ctx) {
      return h(
        "div",
        { part: "list" },
        c.title ? h("h4", { part: "list-title" }, String(c.title)) : null,
        h("ul", { part: "list-items" }, (c.items || []).map((it) => {
          const body = [
            image(it.image_url, "", "list-image"),
            h(
              "span",
              { part: "list-text" },
              h("span", { part: "list-item-title" }, String(it.title ?? "")),
              it.subtitle ? h("span", { part: "list-item-subtitle" }, String(it.subtitle)) : null
            )
          ];
          return h("li", { part: "list-item" }, it.action ? h("button", { type: "button", part: "list-button", disabled: ctx.locked, onclick: () => ctx.sendAction(it.action, it.value ?? null) }, body) : body);
        })),
        (c.buttons || []).length ? h("div", { part: "buttons-row" }, c.buttons.map((b) => renderButton(b, ctx))) : null
      );
    },
    image(c) {
      const img = image(c.url, c.alt, "image");
      const link = safeUrl(c.link, IMG_PROTOCOLS);
      return h(
        "figure",
        { part: "figure" },
        link && img ? h("a", { href: link, target: "_blank", rel: "noopener noreferrer nofollow", part: "image-link" }, img) : img,
        c.caption ? h("figcaption", { part: "caption" }, String(c.caption)) : null
      );
    },
    form(c, ctx) {
      const types = { text: "text", email: "email", number: "number", tel: "tel", date: "date" };
      const form = h("form", { part: "form", novalidate: false });
      if (c.title) form.append(h("h4", { part: "form-title" }, String(c.title)));
      for (const f of c.fields || []) {
        const id = uid("f");
        let input;
        if (f.input === "select") {
          input = h(
            "select",
            { part: "select", class: "field-input", id, name: String(f.name), required: !!f.required, disabled: ctx.locked },
            h("option", { value: "" }, String(f.placeholder ?? "—")),
            (f.options || []).map((o) => h("option", { value: String(o.value ?? "") }, String(o.label ?? "")))
          );
        } else if (f.input === "textarea") {
          input = h("textarea", { part: "textarea", class: "field-input", id, name: String(f.name), required: !!f.required, placeholder: f.placeholder, disabled: ctx.locked, rows: "3" });
        } else {
          input = h("input", {
            part: "input field-input",
            class: "field-input",
            id,
            name: String(f.name),
            type: types[f.input] || "text",
            required: !!f.required,
            placeholder: f.placeholder,
            min: f.min,
            max: f.max,
            disabled: ctx.locked
          });
        }
        const prev = ctx.state.values && ctx.state.values[f.name];
        if (prev != null) input.value = String(prev);
        else if (f.value != null) input.value = String(f.value);
        const problem = ctx.state.errors && ctx.state.errors[f.name];
        if (problem) {
          input.setAttribute("aria-invalid", "true");
          input.setAttribute("aria-describedby", `${id}-error`);
        }
        form.append(h(
          "div",
          { part: "field" },
          h("label", { part: "label", for: id }, String(f.label ?? f.name), f.required ? h("span", { part: "required", "aria-hidden": "true" }, " *") : null),
          input,
          problem ? h("div", { part: "field-error", class: "field-error", id: `${id}-error` }, String(problem)) : null
        ));
      }
      form.append(h("button", { type: "submit", part: "button button-primary form-submit", disabled: ctx.locked }, String(c.submit_label || ctx.strings.form_submit)));
      form.addEventListener("submit", (e) => {
        e.preventDefault();
        if (!form.reportValidity()) return;
        const values = {};
        for (const f of c.fields || []) values[f.name] = form.elements.namedItem(String(f.name))?.value ?? "";
        ctx.state.values = values;
        ctx.sendAction(c.action, values);
      });
      return form;
    }
  };
  var withComponents = (Base) => class extends Base {
    _retireQuickReplies() {
      for (const c of this._components.values()) {
        if (c.comp.type === "quick_replies" && !c.state.used) {
          c.state.used = true;
          this._renderComponent(c);
        }
      }
    }
    // -- components
    _addComponents(m, comps) {
      for (const comp of comps || []) {
        if (!comp || typeof comp !== "object") continue;
        const id = String(comp.id || uid("cmp"));
        let c = this._components.get(id);
        if (c) continue;
        c = { id, comp, messageId: m.id, state: { disabled: false, pending: false, status: "", used: false }, el: h("div", { class: "component", part: `component component-${String(comp.type).replace(/[^a-z_]/g, "")}`, "data-component-id": id }) };
        this._components.set(id, c);
        m.extras.append(c.el);
        this._renderComponent(c);
      }
    }
    _renderComponent(c) {
      const S = this._S();
      const type = String(c.comp.type || "");
      const ctx = {
        component: c.comp,
        state: c.state,
        strings: S,
        h,
        safeUrl,
        messageId: c.messageId,
        locked: !!(c.state.disabled || c.state.pending),
        sendAction: (name, value) => this._sendAction(c, name, value),
        sendText: (text) => this._sendText(text),
        rerender: () => this._renderComponent(c)
      };
      ctx.renderDefault = () => DEFAULT_RENDERERS[type] ? DEFAULT_RENDERERS[type](c.comp, ctx) : null;
      const custom = this.renderers[type] || registry.renderers.get(type);
      let node = null;
      if (typeof custom === "function") {
        try {
          node = custom(c.comp, ctx);
        } catch (err) {
          console.error("switchboard: custom renderer for", type, "failed", err);
        }
      }
      if (!(node instanceof Node)) node = ctx.renderDefault();
      const hadFocus = this.shadowRoot.activeElement && c.el.contains(this.shadowRoot.activeElement);
      c.el.replaceChildren(...[node, c.state.status ? h("div", { class: "component-status", part: "component-status", role: "status" }, c.state.status) : null].filter(Boolean));
      c.el.setAttribute("aria-busy", String(!!c.state.pending));
      if (hadFocus) {
        const target = c.el.querySelector(".component-status") || c.el;
        if (target === c.el) c.el.setAttribute("tabindex", "-1");
        target.setAttribute("tabindex", target.getAttribute("tabindex") || "-1");
        target.focus();
      }
      if (c.state.used && c.comp.type === "quick_replies" && hadFocus) this._els.input.focus();
    }
    _sendAction(c, name, value) {
      if (!name) return;
      const actionId = uid("a");
      c.state.pending = true;
      clearTimeout(c.pendingTimer);
      c.pendingTimer = setTimeout(() => {
        c.state.pending = false;
        this._renderComponent(c);
      }, 2e4);
      this._renderComponent(c);
      this._queue({ type: "widget.action", action_id: actionId, name: String(name), value: value ?? null, component_id: c.id });
    }
    _updateComponent(ev) {
      const c = this._components.get(ev.component_id);
      if (!c) return;
      if (ev.component && typeof ev.component === "object") c.comp = { ...ev.component, id: c.id };
      if (typeof ev.disabled === "boolean") c.state.disabled = ev.disabled;
      if (typeof ev.status === "string") c.state.status = ev.status;
      c.state.errors = ev.errors && typeof ev.errors === "object" ? ev.errors : null;
      c.state.pending = false;
      clearTimeout(c.pendingTimer);
      this._renderComponent(c);
    }
  };

  // src/conversation.js
  var withConversation = (Base) => class extends Base {
    /** Apply one event exactly once: by id, and for durable events by seq. */
    _apply(ev) {
      if (ev.id) {
        if (this._seen.has(ev.id)) return;
        this._seen.add(ev.id);
        if (this._seen.size > 5e3) this._seen = new Set(Array.from(this._seen).slice(-2500));
      }
      const durable = typeof ev.seq === "number";
      if (durable) {
        if (ev.seq <= this._lastSeq) return;
        this._lastSeq = ev.seq;
        this._events.push(ev);
        if (!this._replaying) this._persist();
      }
      const live = !this._replaying && !(durable && ev.seq <= this._quietUpTo);
      const S = this._S();
      switch (ev.type) {
        case "message.user": {
          let m = this._clientIds.get(ev.client_id);
          if (m) {
            if (this._recovery) this._els.log.append(m.row);
            this._msgs.delete(m.id);
            m.id = ev.message_id;
            m.row.setAttribute("data-message-id", m.id);
            this._msgs.set(m.id, m);
          } else {
            m = this._msgs.get(ev.message_id) || this._message(ev.message_id, "visitor");
            m.clientId = ev.client_id;
            if (ev.client_id) this._clientIds.set(ev.client_id, m);
          }
          m.text = String(ev.text ?? m.text);
          m.status = "sent";
          m.ts = ev.ts || m.ts;
          this._outbox = this._outbox.filter((o) => o.frame.client_id !== ev.client_id);
          this._renderNow(m);
          this._renderMeta(m);
          return;
        }
        case "message.created": {
          const m = this._message(ev.message_id, ev.role || "assistant", ev.author);
          if (Array.isArray(ev.sources)) m.sources = ev.sources;
          m.ts = m.ts || ev.ts;
          this._typing({ who: m.role, on: false });
          this._render(m);
          return;
        }
        case "message.delta": {
          const m = this._message(ev.message_id, this._agent ? "agent" : "assistant");
          if (m.final) return;
          const offset = Number(ev.offset) || 0;
          if (offset > m.text.length) return;
          m.text = m.text.slice(0, offset) + String(ev.text ?? "");
          this._typing({ who: m.role, on: false });
          this._render(m);
          return;
        }
        case "message.completed": {
          const m = this._message(ev.message_id, ev.role || "assistant", ev.author);
          m.text = String(ev.text ?? "");
          m.final = true;
          m.ts = ev.ts || m.ts;
          if (Array.isArray(ev.sources)) m.sources = ev.sources;
          m.citations = Array.isArray(ev.citations) ? ev.citations : null;
          this._renderNow(m);
          this._renderMeta(m);
          this._addComponents(m, ev.components);
          this._typing({ who: m.role, on: false });
          if (live && m.role !== "visitor") this._notify(m);
          return;
        }
        case "message.cancelled": {
          const m = this._msgs.get(ev.message_id);
          if (!m) return;
          if (typeof ev.text === "string" && ev.text.length >= m.text.length) m.text = ev.text;
          if (!m.text.trim()) {
            this._msgs.delete(m.id);
            for (const [id, c] of this._components) if (c.messageId === m.id) this._components.delete(id);
            m.row.remove();
            return;
          }
          m.final = true;
          m.cancelled = TAKEOVER_REASONS.has(String(ev.reason || "")) ? "takeover" : "stopped";
          this._renderNow(m);
          this._renderMeta(m);
          return;
        }
        case "message.flagged": {
          const flag = { start: Number(ev.start) || 0, end: Number(ev.end) || 0, action: ev.action || "flag", reason: ev.reason, replacement: ev.replacement };
          const m = this._msgs.get(ev.message_id);
          if (!m) {
            const list = this._pendingFlags.get(ev.message_id) || [];
            list.push(flag);
            this._pendingFlags.set(ev.message_id, list);
            return;
          }
          m.flags.push(flag);
          this._render(m);
          return;
        }
        case "component.updated":
          this._updateComponent(ev);
          return;
        case "typing":
          if (live) this._typing(ev);
          return;
        case "notice":
          this._system(String(ev.text ?? ""), null, "system notice");
          if (live) this._announce(String(ev.text ?? ""));
          return;
        case "handoff.queued": {
          const text = ev.position ? `${S.handoff_queued} ${fmt(S.handoff_queued_position, { position: ev.position })}` : S.handoff_queued;
          this._system(text, null, "system handoff-queued");
          if (live) this._announce(text);
          return;
        }
        case "handoff.accepted": {
          const agent = ev.agent || { name: S.agent };
          this._agent = { name: String(agent.name || S.agent), avatar_url: agent.avatar_url };
          const text = fmt(S.agent_joined, { name: this._agent.name });
          this._system(text, this._agent, "system agent-joined");
          this._refreshHeader();
          if (live) this._announce(text);
          return;
        }
        case "handoff.ended": {
          const agent = ev.agent || this._agent;
          this._agent = null;
          const text = ev.outcome === "resolved" && !agent ? S.conversation_resolved : fmt(S.agent_left, { name: agent && agent.name || S.agent });
          this._system(text, agent, "system agent-left");
          if (ev.outcome === "resolved" && agent) this._system(S.conversation_resolved, null, "system resolved");
          this._refreshHeader();
          if (live) this._announce(text);
          return;
        }
        default:
      }
    }
  };

  // src/store.js
  var storage = (area) => ({
    get(key) {
      try {
        const raw = window[area].getItem(key);
        return raw ? JSON.parse(raw) : null;
      } catch {
        return null;
      }
    },
    set(key, value) {
      try {
        if (value == null) window[area].removeItem(key);
        else window[area].setItem(key, JSON.stringify(value));
      } catch {
      }
    }
  });
  var store = storage("localStorage");
  var tabStore = storage("sessionStorage");
  function cachedHistory(saved) {
    if (!saved || typeof saved !== "object" || saved.v !== CACHE_VERSION || saved.partial) return null;
    const { base, seq, events } = saved;
    if (!Number.isSafeInteger(base) || base < 0 || !Number.isSafeInteger(seq) || !Array.isArray(events)) return null;
    let last = base;
    for (const ev of events) {
      if (!ev || typeof ev !== "object" || typeof ev.type !== "string" || !Number.isSafeInteger(ev.seq) || ev.seq <= last) return null;
      last = ev.seq;
    }
    return last === seq ? { base, seq, events } : null;
  }
  var withStore = (Base) => class extends Base {
    /** Open state and scroll position for this tab, so a reload or the next page shows the same. */
    _saveUi() {
      if (!this._prefix || !this._els.log) return;
      const log = this._els.log;
      let scroll = null;
      if (this._savedScroll != null) scroll = this._savedScroll;
      else if (log.clientHeight && !this._nearEnd()) scroll = Math.round(log.scrollTop);
      tabStore.set(this._prefix + "ui", { open: !!this._open, scroll });
    }
    /**
     * Rebuild the transcript from the locally cached durable events, then resume after them. A
     * cache that cannot be trusted to hold the whole conversation (missing, corrupt, capped, the
     * old format, a gap) is not shown: _recover() replays the conversation from the server.
     * `fresh`: the conversation was just created, there is nothing to recover.
     */
    _restore(fresh = false) {
      const conv = this._session && this._session.conversation_id;
      if (!conv || this._restoredFor === conv) return;
      const unsent = this._restoredFor ? [] : this._outbox;
      this._restoredFor = conv;
      this._msgs.clear();
      this._components.clear();
      this._seen.clear();
      this._clientIds.clear();
      this._els.log.replaceChildren();
      const raw = store.get(this._prefix + "conv:" + conv);
      const saved = raw && typeof raw === "object" && !Array.isArray(raw) ? raw : {};
      const cache = cachedHistory(raw);
      this._lastSeq = 0;
      this._base = 0;
      this._events = [];
      this._recovery = null;
      this._quietUpTo = 0;
      this._feedback = saved.feedback && typeof saved.feedback === "object" ? saved.feedback : {};
      if (cache && cache.base === 0) {
        this._replay(cache.events);
      } else if (raw || !fresh) {
        this._recovery = { upTo: cache ? cache.base : Infinity, events: cache ? cache.events : [] };
        this._quietUpTo = Number.isSafeInteger(saved.seq) ? saved.seq : Infinity;
      }
      const outbox = Array.isArray(saved.outbox) ? saved.outbox.filter((o) => o && o.frame && typeof o.frame.type === "string") : [];
      this._outbox = outbox.concat(unsent).filter((o) => !(o.frame.type === "message.send" && this._clientIds.has(o.frame.client_id)));
      for (const o of this._outbox) {
        o.sentOn = null;
        if (o.frame.type !== "message.send") continue;
        const m = this._message("local:" + o.frame.client_id, "visitor");
        m.clientId = o.frame.client_id;
        m.text = o.frame.text;
        m.status = "sending";
        m.ts = Number.isFinite(o.at) ? new Date(o.at).toISOString() : null;
        this._clientIds.set(m.clientId, m);
        this._renderNow(m);
        this._renderMeta(m);
      }
      this._restoreScroll();
    }
    /** Apply stored events (oldest first) as history: skipped by seq if already applied, not announced. */
    _replay(events) {
      this._replaying = true;
      try {
        for (const ev of events) this._apply(ev);
      } finally {
        this._replaying = false;
      }
    }
    /**
     * Replay what the cache could not give from the server, the source of truth: the history API
     * pages forward from the start (the database keeps what JetStream has aged out), then the
     * cached events that follow on from it; the socket then replays after the last seq (what the
     * recorder has not stored yet, or everything if there is no history service).
     */
    async _recover() {
      const rec = this._recovery;
      const conv = this._session && this._session.conversation_id;
      if (!rec || rec.fetched || !conv) return;
      rec.fetched = true;
      const url = new URL(`${this.apiBase}/v1/conversations/${encodeURIComponent(conv)}/events`);
      url.searchParams.set("limit", String(HISTORY_PAGE));
      try {
        while (this._lastSeq < rec.upTo) {
          url.searchParams.set("after_seq", String(this._lastSeq));
          url.searchParams.set("page", location.pathname);
          const r = await fetch(url.href, { headers: { authorization: `Bearer ${this._session.token}` } });
          if (!r.ok) break;
          const page = await r.json();
          if (this._recovery !== rec) return;
          const events = Array.isArray(page && page.events) ? page.events : [];
          const before = this._lastSeq;
          this._replay(events.filter((ev) => ev && typeof ev === "object" && Number.isSafeInteger(ev.seq)).sort((a, b) => a.seq - b.seq));
          if (!page.has_more || this._lastSeq === before) break;
        }
      } catch {
      }
      if (this._recovery !== rec) return;
      if (this._lastSeq >= rec.upTo) this._replay(rec.events);
      rec.events = [];
      this._persist();
    }
    /** The socket's replay finished: what the widget shows is whole again. */
    _recovered() {
      this._recovery = null;
      this._quietUpTo = 0;
      for (const m of this._clientIds.values()) if (m.status === "sending" && m.row.parentNode === this._els.log) this._els.log.append(m.row);
      this._restoreScroll(true);
      this._persist();
    }
    _cacheMax() {
      const n = Number(this.getAttribute("cache-max-events"));
      return Number.isSafeInteger(n) && n > 0 ? n : MAX_CACHED_EVENTS;
    }
    _persist() {
      if (this._persistTimer) return;
      this._persistTimer = setTimeout(() => this._persistNow(), 150);
    }
    _persistNow() {
      clearTimeout(this._persistTimer);
      this._persistTimer = null;
      this._saveUi();
      const conv = this._session && this._session.conversation_id;
      if (!conv) return;
      const drop = this._events.length - this._cacheMax();
      if (drop > 0) {
        this._base = this._events[drop - 1].seq;
        this._events = this._events.slice(drop);
      }
      store.set(this._prefix + "conv:" + conv, {
        v: CACHE_VERSION,
        base: this._base,
        seq: this._lastSeq,
        events: this._events,
        partial: !!this._recovery || void 0,
        feedback: this._feedback,
        outbox: this._outbox.map((o) => ({ frame: o.frame, tries: o.tries, at: o.at }))
      });
    }
  };

  // src/protocol.js
  function backoff(attempt, baseMs, maxMs, random = Math.random) {
    const d = Math.min(maxMs, baseMs * 2 ** Math.min(attempt, 30));
    return d / 2 + random() * (d / 2);
  }
  var withProtocol = (Base) => class extends Base {
    /** Frames that must arrive (messages, actions) wait in a persisted outbox until acked. */
    _queue(frame) {
      this._outbox.push({ frame, tries: 0, at: Date.now() });
      this._persist();
      if (!this._ws && !this._retryTimer) this._connect();
      else this._flushOutbox();
    }
    _flushOutbox() {
      if (!this._live) return;
      const now = Date.now();
      this._outbox = this._outbox.filter((o) => o.frame.type === "message.send" || o.tries < 3 && now - o.at < 10 * 6e4);
      for (const o of this._outbox) {
        if (o.sentOn === this._connId) continue;
        o.sentOn = this._connId;
        o.tries++;
        this._frame(o.frame);
      }
    }
    _frame(frame) {
      if (this._ws && this._live) {
        try {
          this._ws.send(JSON.stringify(frame));
          return true;
        } catch {
          return false;
        }
      }
      return false;
    }
    // -- connection
    async _startSession() {
      const prev = this._session;
      const body = { widget_key: this.key };
      if (prev?.visitor_id) {
        body.visitor_id = prev.visitor_id;
        if (typeof prev.visitor_secret === "string") body.visitor_secret = prev.visitor_secret;
      }
      if (prev?.token) body.previous_token = prev.token;
      const userId = this.getAttribute("user-id");
      const userHash = this.getAttribute("user-hash");
      if (userId && userHash) Object.assign(body, { user_id: userId, user_hash: userHash });
      const post = (b) => fetch(`${this.apiBase}/v1/session`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(b) });
      let r = await post(body);
      if (!r.ok && r.status < 500 && body.previous_token) {
        delete body.previous_token;
        r = await post(body);
      }
      if (!r.ok) throw new Error(`Expected 200 from POST /v1/session, got ${r.status}`);
      const s = await r.json();
      if (s.tenant) this._setTenant({ ...s.tenant, widget: s.tenant.widget || this._tenantConfig });
      const changed = !prev || prev.conversation_id !== s.conversation_id;
      const secret = typeof s.visitor_secret === "string" ? s.visitor_secret : prev && prev.visitor_id === s.visitor_id ? prev.visitor_secret : void 0;
      this._session = {
        token: s.token,
        expires_at: s.expires_at,
        conversation_id: s.conversation_id,
        visitor_id: s.visitor_id,
        visitor_secret: secret,
        ws_url: s.ws_url
      };
      store.set(this._prefix + "session", this._session);
      if (changed) this._restore(!prev);
      this._needSession = false;
    }
    _setStatus(status) {
      if (this._status === status) return;
      this._status = status;
      this._refreshHeader();
      this.setAttribute("data-status", status);
      this.dispatchEvent(new CustomEvent("switchboard:status", { detail: { status } }));
    }
    async _connect() {
      clearTimeout(this._retryTimer);
      this._retryTimer = null;
      if (this._closing || this._connecting || this._ws && this._ws.readyState <= 1) return;
      this._connecting = true;
      this._setStatus(this._everLive ? "reconnecting" : "connecting");
      try {
        const expires = this._session && Date.parse(this._session.expires_at);
        if (!this._session || this._needSession || expires && expires - Date.now() < 6e4) await this._startSession();
        await this._recover();
      } catch {
        this._connecting = false;
        this._scheduleReconnect();
        return;
      }
      this._connecting = false;
      if (this._closing) return;
      const url = new URL(this._session.ws_url || "/v1/ws", this.apiBase + "/");
      if (url.protocol === "http:") url.protocol = "ws:";
      if (url.protocol === "https:") url.protocol = "wss:";
      url.searchParams.set("token", this._session.token);
      url.searchParams.set("after_seq", String(this._lastSeq));
      url.searchParams.set("page", location.pathname);
      if (!this._lastSeq) {
        url.searchParams.set("welcome", "1");
        url.searchParams.set("lang", this._lang());
      }
      let ws;
      try {
        ws = new WebSocket(url.href);
      } catch {
        this._scheduleReconnect();
        return;
      }
      this._ws = ws;
      this._live = false;
      this._connId = uid("w");
      ws.onmessage = (e) => {
        if (ws !== this._ws) return;
        this._lastRx = Date.now();
        let ev;
        try {
          ev = JSON.parse(e.data);
        } catch {
          return;
        }
        if (ev && typeof ev === "object") this._onEvent(ev);
        if (this._live && this._status !== "online") this._setStatus("online");
      };
      ws.onclose = (e) => {
        if (ws !== this._ws) return;
        this._ws = null;
        this._live = false;
        if (e.code === 4401 || e.code === 4403 || e.code === 1008) this._needSession = true;
        if (this._closing) return;
        this._setStatus(navigator.onLine === false ? "offline" : "reconnecting");
        this._scheduleReconnect();
      };
    }
    _scheduleReconnect() {
      if (this._closing || this._retryTimer) return;
      const r = this._cfg().reconnect || {};
      const base = Number(this.getAttribute("reconnect-base-ms") || r.base_ms || 500);
      const cap = Number(this.getAttribute("reconnect-max-ms") || r.max_ms || 2e4);
      const delay = backoff(this._attempt, base, cap);
      this._attempt++;
      if (this._attempt >= 3) this._needSession = true;
      this._retryTimer = setTimeout(() => {
        this._retryTimer = null;
        this._connect();
      }, delay);
    }
    _reconnectNow() {
      if (this._closing || !this._session) return;
      if (this._ws && this._ws.readyState === 1) {
        this._frame({ type: "ping" });
        return;
      }
      clearTimeout(this._retryTimer);
      this._retryTimer = null;
      this._attempt = 0;
      this._connect();
    }
    _checkAlive() {
      if (!this._ws || !this._live) return;
      const hb = (this._heartbeat || 20) * 1e3;
      const quiet = Date.now() - (this._lastRx || 0);
      if (quiet > hb * 2.5) {
        const ws = this._ws;
        this._ws = null;
        this._live = false;
        try {
          ws.close(4e3);
        } catch {
        }
        this._setStatus("reconnecting");
        this._scheduleReconnect();
      } else if (quiet > hb) {
        this._frame({ type: "ping" });
      }
    }
    // -- incoming events
    _onEvent(ev) {
      switch (ev.type) {
        case "hello":
          this._heartbeat = Number(ev.heartbeat_s) || 20;
          this._live = true;
          this._everLive = true;
          this._attempt = 0;
          this._setStatus("online");
          this._flushOutbox();
          return;
        case "ack":
          this._acked(ev);
          return;
        case "config":
          this._setTenant(ev.tenant);
          return;
        case "resumed":
          if (this._recovery) this._recovered();
          return;
        case "pong":
        case "heartbeat":
          return;
        case "error":
          this._error(ev);
          return;
        default:
          this._apply(ev);
      }
    }
    _acked(ev) {
      const id = ev.client_id || ev.action_id;
      if (!id) return;
      this._outbox = this._outbox.filter((o) => o.frame.client_id !== id && o.frame.action_id !== id);
      this._persist();
      const m = ev.client_id && this._clientIds.get(ev.client_id);
      if (m && m.status === "sending") {
        m.status = "sent";
        this._renderNow(m);
        this._renderMeta(m);
      }
    }
    _error(ev) {
      const S = this._S();
      const code = String(ev.code || "error");
      if (ev.ref) {
        this._outbox = this._outbox.filter((o) => o.frame.client_id !== ev.ref && o.frame.action_id !== ev.ref);
        this._persist();
        const m = this._clientIds.get(ev.ref);
        if (m && code !== "rate_limited") {
          m.status = "failed";
          this._renderNow(m);
          this._renderMeta(m);
        }
      }
      this._system(S[code] || fmt(S.error, { code }), null, "system error");
    }
  };

  // src/markdown.js
  function renderMarkdown(text, flags, S) {
    const ctx = { text, flags: (flags || []).slice().sort((a, b) => a.start - b.start), S };
    const frag = document.createDocumentFragment();
    const lines = [];
    for (let i = 0; ; ) {
      let j = text.indexOf("\n", i);
      if (j < 0) j = text.length;
      lines.push([i, j]);
      if (j >= text.length) break;
      i = j + 1;
    }
    const line = (k2) => text.slice(lines[k2][0], lines[k2][1]);
    const blank = (k2) => /^\s*$/.test(line(k2));
    const LIST = /^(\s*)([-*+]|\d{1,9}[.)])\s+/;
    const indentOf = (k2) => line(k2).length - line(k2).trimStart().length;
    const tableAt = (k2) => k2 + 1 < lines.length && line(k2).includes("|") && tableAlign(line(k2 + 1), cells(text, lines[k2]).length);
    const starts = (k2) => /^\s*(```|~~~|#{1,6}\s|>)/.test(line(k2)) || LIST.test(line(k2)) || Boolean(tableAt(k2));
    const parseList = (k0) => {
      const m0 = LIST.exec(line(k0));
      const indent = m0[1].length;
      const ordered = /\d/.test(m0[2]);
      const list = h(ordered ? "ol" : "ul", { part: "md-list" });
      if (ordered && parseInt(m0[2], 10) !== 1) list.setAttribute("start", String(parseInt(m0[2], 10)));
      let item = null;
      let k2 = k0;
      while (k2 < lines.length) {
        if (blank(k2)) {
          let n = k2;
          while (n < lines.length && blank(n)) n++;
          const nm = n < lines.length && LIST.exec(line(n));
          const sameList = nm && nm[1].length + 1 >= indent && /\d/.test(nm[2]) === ordered;
          const nested = nm && item && nm[1].length >= indent + 2;
          if (!sameList && !nested) break;
          k2 = n;
          continue;
        }
        const im = LIST.exec(line(k2));
        if (im && item && im[1].length >= indent + 2) {
          const [sub, next] = parseList(k2);
          item.append(sub);
          k2 = next;
          continue;
        }
        if (im) {
          if (im[1].length + 1 < indent || /\d/.test(im[2]) !== ordered) break;
          item = h("li", { part: "md-item" });
          inline(item, lines[k2][0] + im[0].length, lines[k2][1], ctx);
          list.append(item);
          k2++;
          continue;
        }
        if (starts(k2) || !item) break;
        item.append(h("br"));
        inline(item, lines[k2][0] + indentOf(k2), lines[k2][1], ctx);
        k2++;
      }
      return [list, k2];
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
      if (m = /^\s*(```|~~~)(.*)$/.exec(s)) {
        const fence = m[1];
        const code = h("code", { part: "md-code-block" });
        const lang = m[2].trim();
        if (lang) code.setAttribute("data-lang", lang.slice(0, 40));
        k++;
        const first = k;
        while (k < lines.length && !line(k).trimStart().startsWith(fence)) k++;
        if (k > first) emitText(code, lines[first][0], lines[k - 1][1], ctx);
        k++;
        frag.append(h("div", { part: "md-code-wrap" }, h("pre", { part: "md-pre" }, code), copyButton(code, S)));
        continue;
      }
      if (m = /^(\s*)(#{1,6})\s+/.exec(s)) {
        const level = Math.min(6, m[2].length + 2);
        const el = h("h" + level, { part: "md-heading" });
        inline(el, ls + m[0].length, lines[k][1], ctx);
        frag.append(el);
        k++;
        continue;
      }
      if (/^\s*([-*_])(\s*\1){2,}\s*$/.test(s)) {
        frag.append(h("hr", { part: "md-hr" }));
        k++;
        continue;
      }
      if (/^\s*>/.test(s)) {
        const el = h("blockquote", { part: "md-quote" });
        let firstLine2 = true;
        while (k < lines.length && (m = /^\s*>\s?/.exec(line(k)))) {
          if (!firstLine2) el.append(h("br"));
          inline(el, lines[k][0] + m[0].length, lines[k][1], ctx);
          firstLine2 = false;
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
      const p = h("p", { part: "md-p" });
      let firstLine = true;
      while (k < lines.length && !blank(k) && (firstLine || !starts(k))) {
        if (!firstLine) p.append(h("br"));
        inline(p, lines[k][0], lines[k][1], ctx);
        firstLine = false;
        k++;
      }
      frag.append(p);
    }
    return frag;
  }
  function cells(text, [ls, le]) {
    let a = ls;
    let b = le;
    while (a < b && /\s/.test(text[a])) a++;
    while (b > a && /\s/.test(text[b - 1])) b--;
    if (text[a] === "|") a++;
    if (b > a && text[b - 1] === "|" && text[b - 2] !== "\\") b--;
    const out = [];
    let start = a;
    for (let p = a; p <= b; p++) {
      if (p < b && text[p] === "\\") p++;
      else if (p === b || text[p] === "|") {
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
  function tableAlign(row, n) {
    const t = row.trim().replace(/^\|/, "").replace(/\|$/, "");
    const parts = t.split("|").map((c) => c.trim());
    if (!parts.length || parts.length !== n || !parts.every((c) => /^:?-+:?$/.test(c))) return null;
    return parts.map((c) => c.startsWith(":") && c.endsWith(":") ? "center" : c.endsWith(":") ? "end" : c.startsWith(":") ? "start" : "");
  }
  function parseTable(k, align, ctx, lines) {
    const text = ctx.text;
    const row = (range, tag) => {
      const tr = h("tr", { part: "md-tr" });
      const cs = cells(text, range);
      for (let c = 0; c < align.length; c++) {
        const cell = h(tag, { part: "md-" + tag, "data-align": align[c] || null, scope: tag === "th" ? "col" : null });
        if (cs[c]) inline(cell, cs[c][0], cs[c][1], ctx);
        tr.append(cell);
      }
      return tr;
    };
    const thead = h("thead", null, row(lines[k], "th"));
    const tbody = h("tbody");
    let n = k + 2;
    for (; n < lines.length; n++) {
      const s = text.slice(lines[n][0], lines[n][1]);
      if (!s.trim() || !s.includes("|")) break;
      tbody.append(row(lines[n], "td"));
    }
    const table = h("table", { part: "md-table" }, thead, tbody.childNodes.length ? tbody : null);
    return [h("div", { part: "md-table-wrap", tabindex: "0" }, table), n];
  }
  function copyButton(code, S) {
    const label = S.copy_code || "Copy";
    const button = h("button", { type: "button", part: "md-copy" }, label);
    let timer = null;
    const show = (text, state) => {
      button.textContent = text;
      if (state) button.setAttribute("data-state", state);
      else button.removeAttribute("data-state");
      clearTimeout(timer);
      if (state) timer = setTimeout(() => show(label, null), 2e3);
    };
    button.addEventListener("click", async () => {
      try {
        await navigator.clipboard.writeText(code.textContent);
        show(S.copied || "Copied", "copied");
      } catch {
        const range = document.createRange();
        range.selectNodeContents(code);
        const selection = getSelection();
        selection.removeAllRanges();
        selection.addRange(range);
        show(label, "selected");
      }
    });
    return button;
  }
  function inline(parent, a, b, ctx) {
    const text = ctx.text;
    let i = a;
    let run = a;
    const flush = (to) => {
      if (to > run) emitText(parent, run, to, ctx);
    };
    while (i < b) {
      const c = text[i];
      if (c === "\\" && i + 1 < b && /[\\`*_{}[\]()#+\-.!~>|<]/.test(text[i + 1])) {
        flush(i);
        run = i + 1;
        i += 2;
        continue;
      }
      if (c === "`") {
        let n = 1;
        while (text[i + n] === "`") n++;
        const close = text.indexOf("`".repeat(n), i + n);
        if (close >= 0 && close + n <= b) {
          flush(i);
          const code = h("code", { part: "md-code" });
          emitText(code, i + n, close, ctx);
          parent.append(code);
          i = run = close + n;
          continue;
        }
        i += n;
        continue;
      }
      if (c === "*" || c === "_" || c === "~" && text[i + 1] === "~") {
        const dbl = text[i + 1] === c;
        const mark = dbl ? c + c : c;
        const inner = i + mark.length;
        const wordBefore = i > 0 && /[\p{L}\p{N}]/u.test(text[i - 1]);
        if (inner < b && !/\s/.test(text[inner]) && !(c === "_" && wordBefore)) {
          const close = findClose(text, mark, inner + 1, b);
          if (close > 0) {
            flush(i);
            const tag = c === "~" ? "del" : dbl ? "strong" : "em";
            const el = h(tag, { part: "md-" + tag });
            inline(el, inner, close, ctx);
            parent.append(el);
            i = run = close + mark.length;
            continue;
          }
        }
        i += mark.length;
        continue;
      }
      if (c === "[" || c === "!" && text[i + 1] === "[") {
        const lb = c === "!" ? i + 1 : i;
        const rb = matchBracket(text, lb, b);
        if (rb > 0 && text[rb + 1] === "(") {
          const rp = closeParen(text, rb + 2, b);
          if (rp > 0) {
            flush(i);
            const dest = text.slice(rb + 2, rp).trim();
            const gt = dest.indexOf(">");
            const target = dest.startsWith("<") && gt > 0 ? dest.slice(1, gt) : dest.split(/\s+/)[0];
            const href = safeUrl(target);
            const el = href ? h("a", { part: "md-link", href, target: "_blank", rel: "noopener noreferrer nofollow ugc" }) : h("span", { part: "md-link-blocked" });
            ctx.inLink = true;
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
      if (c === "<" && !ctx.inLink) {
        const m = /^<(https?:\/\/[^\s<>]+)>/i.exec(text.slice(i, b));
        const href = m && safeUrl(m[1], IMG_PROTOCOLS);
        if (href) {
          flush(i);
          const el = h("a", { part: "md-link", href, target: "_blank", rel: "noopener noreferrer nofollow ugc" });
          emitText(el, i + 1, i + 1 + m[1].length, ctx);
          parent.append(el);
          i = run = i + m[0].length;
          continue;
        }
      }
      if (/[hHwW]/.test(c) && !ctx.inLink && (i === a || !/[\p{L}\p{N}/.@-]/u.test(text[i - 1]))) {
        const m = /^(?:https?:\/\/|www\.)[^\s<>"'`]+/i.exec(text.slice(i, b));
        if (m) {
          const raw = trimAutolink(m[0]);
          const href = safeUrl(/^www\./i.test(raw) ? "https://" + raw : raw, IMG_PROTOCOLS);
          if (href && /[\p{L}\p{N}]\.[\p{L}\p{N}]|\/\/[\p{L}\p{N}]/u.test(raw)) {
            flush(i);
            const el = h("a", { part: "md-link", href, target: "_blank", rel: "noopener noreferrer nofollow ugc" });
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
  function closeParen(text, from, b) {
    let depth = 1;
    for (let p = from; p < b; p++) {
      const c = text[p];
      if (c === "\\") p++;
      else if (c === "\n") return -1;
      else if (c === "(") depth++;
      else if (c === ")" && --depth === 0) return p;
    }
    return -1;
  }
  function trimAutolink(raw) {
    let url = raw;
    for (; ; ) {
      const last = url[url.length - 1];
      if (/[.,;:!?*_~'"\]]/.test(last)) url = url.slice(0, -1);
      else if (last === ")" && url.split(")").length > url.split("(").length) url = url.slice(0, -1);
      else return url;
    }
  }
  function findClose(text, mark, from, b) {
    for (let p = text.indexOf(mark, from); p >= 0 && p + mark.length <= b; p = text.indexOf(mark, p + 1)) {
      if (/\s/.test(text[p - 1])) continue;
      if (mark.length === 1 && text[p + 1] === mark) {
        p++;
        continue;
      }
      if (mark[0] === "_" && p + mark.length < text.length && /[\p{L}\p{N}]/u.test(text[p + mark.length])) continue;
      return p;
    }
    return -1;
  }
  function matchBracket(text, lb, b) {
    let depth = 0;
    for (let p = lb; p < b; p++) {
      if (text[p] === "\\") p++;
      else if (text[p] === "[") depth++;
      else if (text[p] === "]" && --depth === 0) return p;
    }
    return -1;
  }
  function emitText(parent, a, b, ctx) {
    let pos = a;
    for (const f of ctx.flags) {
      if (f.end <= pos || f.start >= b) continue;
      const s = Math.max(f.start, pos);
      const e = Math.min(f.end, b);
      if (s > pos) parent.append(ctx.text.slice(pos, s));
      const first = s === f.start;
      const reason = fmt(ctx.S.flagged, { reason: f.reason || "" });
      if (f.action === "withhold") {
        if (first) parent.append(h("span", { part: "withheld", title: reason }, ctx.S.withheld));
      } else if (f.action === "replace") {
        if (first) parent.append(h("span", { part: "replaced", title: ctx.S.replaced }, String(f.replacement ?? "")));
      } else {
        parent.append(
          h("mark", { part: "flag", title: reason, "data-flag-start": f.start }, ctx.text.slice(s, e))
        );
      }
      pos = e;
    }
    if (b > pos) parent.append(ctx.text.slice(pos, b));
  }

  // src/templates.js
  var URL_ATTRS = /* @__PURE__ */ new Set(["href", "src", "xlink:href", "action", "formaction", "srcset", "poster", "background"]);
  function scrub(root) {
    root.querySelectorAll("script,iframe,object,embed,link,meta,base,frame,frameset,noscript,template").forEach((n) => n.remove());
    for (const el of root.querySelectorAll("*")) {
      for (const attr of Array.from(el.attributes)) {
        const name = attr.name.toLowerCase();
        if (name.startsWith("on") || name === "srcdoc") el.removeAttribute(attr.name);
        else if (URL_ATTRS.has(name) && !safeUrl(attr.value, void 0, location.href)) el.removeAttribute(attr.name);
      }
    }
  }
  function fromTemplate(html, texts, slots, actions) {
    const tpl = document.createElement("template");
    tpl.innerHTML = String(html);
    scrub(tpl.content);
    for (const n of tpl.content.querySelectorAll("[data-sb-text]")) n.textContent = texts[n.getAttribute("data-sb-text")] ?? "";
    for (const n of tpl.content.querySelectorAll("[data-sb-slot]")) {
      const slot = slots[n.getAttribute("data-sb-slot")];
      if (slot) n.append(slot);
    }
    for (const n of tpl.content.querySelectorAll("[data-sb-action]")) {
      const fn = actions[n.getAttribute("data-sb-action")];
      if (fn) n.addEventListener("click", fn);
    }
    const kids = Array.from(tpl.content.children);
    const node = kids.length === 1 ? kids[0] : h("div", null, kids);
    document.adoptNode(node);
    return node;
  }

  // src/render.js
  var withRendering = (Base) => class extends Base {
    _renderStructure(cfg, S, layout) {
      const e = this._els;
      const hadLog = e.log;
      const panelId = "sb-panel";
      e.live = h("div", { class: "sr-only", part: "live", role: "status", "aria-live": "polite", "aria-atomic": "false" });
      e.log = hadLog || h("div", {
        class: "log",
        part: "messages",
        role: "log",
        "aria-live": "off",
        tabindex: "0",
        onscroll: () => {
          if (this._nearEnd()) this._showPill(false);
          clearTimeout(this._scrollSave);
          this._scrollSave = setTimeout(() => this._saveUi(), 200);
        }
      });
      e.pill = h("button", { type: "button", class: "new-messages", part: "new-messages", hidden: !(e.pill && !e.pill.hidden), onclick: () => {
        this._scrollToEnd(true);
        this._els.input.focus();
      } }, S.new_messages);
      e.log.setAttribute("aria-label", S.messages_label);
      e.typing = h("div", { class: "typing", part: "typing", hidden: true }, h("span", { class: "dots", "aria-hidden": "true" }, h("i"), h("i"), h("i")), h("span", { part: "typing-text" }));
      const draft = e.input ? e.input.value : String(store.get(this._prefix + "draft") || "");
      e.input = h("textarea", {
        class: "input",
        part: "input",
        rows: "1",
        placeholder: S.placeholder,
        "aria-label": S.input_label,
        maxlength: "8000",
        enterkeyhint: "send",
        dir: "auto",
        onkeydown: (ev) => {
          if (ev.key === "Enter" && !ev.shiftKey && !ev.isComposing) {
            ev.preventDefault();
            this._submit();
          }
        },
        oninput: () => {
          this._visitorTyping();
          store.set(this._prefix + "draft", e.input.value || null);
        }
      });
      e.input.value = draft;
      e.send = h("button", { class: "send", part: "send", type: "submit" }, S.send);
      const composer = h("form", { class: "composer", part: "composer", onsubmit: (ev) => {
        ev.preventDefault();
        this._submit();
      } }, e.input, e.send);
      e.header = this._header(cfg, S, layout);
      e.panel = h("div", {
        class: "panel",
        part: "panel",
        id: panelId,
        role: layout === "floating" ? "dialog" : "region",
        "aria-label": S.dialog_label,
        onkeydown: (ev) => {
          if (ev.key === "Escape" && this._layout() === "floating") {
            ev.stopPropagation();
            this.close();
          }
        }
      }, e.header, h("div", { class: "log-area", part: "log-area" }, e.log, e.pill), e.typing, composer, e.live);
      const kids = [e.panel];
      if (layout === "floating") {
        e.launcher = this._launcher(cfg, S, panelId);
        kids.push(e.launcher);
        e.panel.hidden = !this._open;
      } else {
        e.launcher = null;
        e.panel.hidden = false;
      }
      this._root.replaceChildren(...kids);
      this._refreshHeader();
    }
    _launcher(cfg, S, panelId) {
      const icon = h(
        "svg:svg",
        { viewBox: "0 0 24 24", "aria-hidden": "true", fill: "currentColor", part: "launcher-icon" },
        h("svg:path", { d: "M4 4h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H9l-5 4v-4H4a2 2 0 0 1-2-2V6a2 2 0 0 1 2-2zm3 6.5a1.5 1.5 0 1 0 0-.01zm5 0a1.5 1.5 0 1 0 0-.01zm5 0a1.5 1.5 0 1 0 0-.01z" })
      );
      this._els.badge = h("span", { class: "badge", part: "badge", hidden: true });
      const texts = { label: S.launcher_label, title: S.title, open: S.open };
      const fn = this.templates.launcher || registry.templates.launcher;
      let btn = null;
      if (typeof fn === "function") btn = fn({ strings: S, icon, badge: this._els.badge });
      else if (cfg.templates.launcher) btn = fromTemplate(cfg.templates.launcher, texts, { icon, badge: this._els.badge }, {});
      if (!(btn instanceof Element)) {
        btn = h("button", { type: "button", class: "launcher", part: "launcher" }, icon, S.launcher_label ? h("span", { part: "launcher-label" }, S.launcher_label) : null, this._els.badge);
      }
      if (!btn.contains(this._els.badge)) btn.append(this._els.badge);
      if (btn.tagName !== "BUTTON") {
        btn.setAttribute("role", "button");
        btn.setAttribute("tabindex", "0");
        btn.addEventListener("keydown", (ev) => {
          if (ev.key === "Enter" || ev.key === " ") {
            ev.preventDefault();
            this._setOpen(!this._open, true);
          }
        });
      }
      if (!btn.getAttribute("part")) btn.setAttribute("part", "launcher");
      btn.setAttribute("aria-controls", panelId);
      btn.setAttribute("aria-expanded", String(!!this._open));
      btn.setAttribute("aria-label", S.launcher_label || S.open);
      btn.addEventListener("click", () => this._setOpen(!this._open, true));
      return btn;
    }
    _header(cfg, S, layout) {
      const e = this._els;
      e.avatar = h("span", { class: "avatar", part: "avatar header-avatar", "aria-hidden": "true" });
      e.title = h("div", { class: "title", part: "title", role: "heading", "aria-level": "2" }, S.title);
      e.subtitle = h("div", { class: "subtitle", part: "subtitle status" });
      e.handoff = h("button", { type: "button", class: "header-button", part: "handoff-button", onclick: () => this.askForHuman() }, S.handoff);
      e.close = layout === "floating" ? h("button", { type: "button", class: "header-button icon close", part: "close-button", "aria-label": S.close, onclick: () => this.close() }, "×") : null;
      const actions = h("div", { class: "header-actions", part: "header-actions" }, e.handoff, e.close);
      const fn = this.templates.header || registry.templates.header;
      let node = null;
      if (typeof fn === "function") node = fn({ strings: S, avatar: e.avatar, title: e.title, subtitle: e.subtitle, actions });
      else if (cfg.templates.header) {
        node = fromTemplate(cfg.templates.header, { title: S.title }, { avatar: e.avatar, title: e.title, subtitle: e.subtitle, actions }, { close: () => this.close(), handoff: () => this.askForHuman() });
      }
      if (node instanceof Element) {
        if (!node.contains(actions)) node.append(actions);
        if (!node.getAttribute("part")) node.setAttribute("part", "header");
        node.classList.add("header");
        return node;
      }
      return h("header", { class: "header", part: "header" }, e.avatar, h("div", { class: "header-text", part: "header-text" }, e.title, e.subtitle), actions);
    }
    _refreshHeader() {
      const e = this._els;
      if (!e.subtitle) return;
      const S = this._S();
      const agent = this._agent;
      const status = { connecting: S.connecting, reconnecting: S.reconnecting, offline: S.offline }[this._status];
      e.subtitle.textContent = status || (agent ? fmt(S.subtitle_agent, { name: agent.name }) : S.subtitle);
      e.handoff.hidden = !!agent || this._cfg().handoff_button === false;
      const who = agent || { name: this._assistantName || S.assistant, avatar_url: this._tenantAvatar() };
      e.avatar.replaceChildren(this._avatarContent(who));
    }
    /** The tenant's avatar_url (config, may be relative to the gateway) as an absolute URL. */
    _tenantAvatar() {
      return safeUrl(this._cfg().avatar_url, IMG_PROTOCOLS, this.apiBase + "/");
    }
    _avatarContent(author) {
      const src = safeUrl(author && author.avatar_url, IMG_PROTOCOLS);
      if (src) return h("img", { class: "avatar", part: "avatar-image", src, alt: "", referrerpolicy: "no-referrer" });
      return document.createTextNode(String(author && author.name || "?").trim().slice(0, 1).toUpperCase());
    }
    _setOpen(open, byUser) {
      if (this._layout() !== "floating") return;
      this._open = open;
      const e = this._els;
      e.panel.hidden = !open;
      this._root.toggleAttribute("data-open", open);
      this._lockPageScroll();
      if (e.launcher) e.launcher.setAttribute("aria-expanded", String(open));
      if (open) {
        this._unread = 0;
        this._updateBadge();
        if (!this._ws && !this._retryTimer) this._connect();
        if (byUser) e.input.focus();
        this._restoreScroll();
      } else if (byUser && e.launcher) {
        e.launcher.focus();
      }
      this._saveUi();
      this.dispatchEvent(new CustomEvent(open ? "switchboard:open" : "switchboard:close"));
    }
    /**
     * While the floating panel covers a phone's screen, the page behind it does not scroll (the
     * page's own overflow styles are put back when the panel closes, the screen widens or the
     * widget leaves the page).
     */
    _lockPageScroll() {
      const lock = !!(this._mounted && this._open && this._layout() === "floating" && this._mobile && this._mobile.matches);
      if (lock === !!this._pageOverflow) return;
      const targets = [document.documentElement, document.body].filter(Boolean);
      if (lock) {
        this._pageOverflow = targets.map((el) => [el, el.style.overflow]);
        for (const el of targets) el.style.overflow = "hidden";
      } else {
        for (const [el, value] of this._pageOverflow) el.style.overflow = value;
        this._pageOverflow = null;
      }
    }
    _updateBadge() {
      const b = this._els.badge;
      if (!b) return;
      b.hidden = this._unread === 0;
      b.textContent = String(this._unread);
      b.setAttribute("aria-label", fmt(this._S().unread, { count: this._unread }));
    }
    _nearEnd() {
      const log = this._els.log;
      return log.scrollHeight - log.scrollTop - log.clientHeight < 80;
    }
    /** To the newest message if the visitor was there (or `force`). */
    _scrollToEnd(force) {
      const log = this._els.log;
      if (force || this._stick !== false) {
        log.scrollTop = log.scrollHeight;
        this._showPill(false);
      }
    }
    _showPill(on) {
      const pill = this._els.pill;
      if (pill && pill.hidden === on) pill.hidden = !on;
    }
    /**
     * Back where the visitor was reading before a reload or a navigation (once the transcript is
     * tall enough and visible), else at the newest message. `final`: the history is complete.
     */
    _restoreScroll(final = false) {
      const log = this._els.log;
      const saved = this._savedScroll;
      if (saved == null) {
        this._scrollToEnd(true);
        return;
      }
      if (!log.clientHeight) return;
      log.scrollTop = saved;
      this._stick = this._nearEnd();
      if (final || log.scrollTop >= saved - 1) this._savedScroll = null;
    }
    /** A new row at the end; if the visitor is reading above, `news` shows the "new messages" pill instead of scrolling. */
    _appendRow(node, news = true) {
      this._stick = this._nearEnd();
      this._els.log.append(node);
      this._scrollToEnd();
      if (news && !this._stick && !this._replaying) this._showPill(true);
    }
    _announce(text) {
      const live = this._els.live;
      const line = h("p", null, String(text).slice(0, 400));
      live.append(line);
      while (live.childNodes.length > 3) live.firstChild.remove();
    }
    _system(text, author, part = "system") {
      const row = h("div", { class: "system", part, role: "note" }, author ? h("span", { class: "avatar", part: "avatar system-avatar", "aria-hidden": "true" }, this._avatarContent(author)) : null, h("span", null, text));
      this._appendRow(row);
      return row;
    }
    // -- messages
    _message(id, role, author) {
      let m = this._msgs.get(id);
      if (m) {
        if (author && !m.author) {
          m.author = author;
          this._renderMeta(m);
        }
        return m;
      }
      m = { id, role, author: author || null, text: "", final: false, flags: this._pendingFlags.get(id) || [], sources: [], components: [], status: "" };
      this._pendingFlags.delete(id);
      this._msgs.set(id, m);
      this._retireQuickReplies();
      const S = this._S();
      const isVisitor = role === "visitor";
      const name = isVisitor ? S.you : author && author.name || (role === "agent" ? S.agent : this._assistantName || S.assistant);
      m.content = h("div", { class: "content", part: "content", dir: "auto" });
      m.authorEl = h("div", { class: "author", part: "author" }, name);
      const face = { name, avatar_url: author && author.avatar_url || (role === "assistant" ? this._tenantAvatar() : null) };
      m.avatarEl = isVisitor ? null : h("span", { class: "avatar", part: "avatar message-avatar", "aria-hidden": "true" }, this._avatarContent(face));
      const fn = this.templates.bubble || registry.templates.bubble;
      const tpl = this._cfg().templates.bubble;
      let bubble = null;
      if (typeof fn === "function") bubble = fn({ role, author: author || { name }, content: m.content, strings: S });
      else if (tpl) bubble = fromTemplate(tpl, { author: name, role }, { content: m.content, avatar: m.avatarEl, author: m.authorEl }, {});
      if (!(bubble instanceof Element)) bubble = h("div", { class: "bubble", part: `bubble bubble-${role}` }, isVisitor ? null : m.authorEl, m.content);
      if (!bubble.contains(m.content)) bubble.append(m.content);
      bubble.classList.add("bubble");
      if (!bubble.getAttribute("part")) bubble.setAttribute("part", `bubble bubble-${role}`);
      m.meta = h("div", { class: "meta", part: "meta" });
      m.extras = h("div", { class: "components", part: "components" });
      m.notes = h("div", { part: "notes" });
      m.stack = h("div", { class: "stack", part: "stack" }, bubble, m.notes, m.extras, m.meta);
      m.row = h("div", { class: `row ${role}`, part: `row row-${role}`, "data-message-id": id }, bubble.contains(m.avatarEl) ? null : m.avatarEl, m.stack);
      this._appendRow(m.row, !isVisitor);
      return m;
    }
    _render(m) {
      if (this._rendering.has(m)) return;
      this._rendering.add(m);
      requestAnimationFrame(() => {
        this._rendering.delete(m);
        this._renderNow(m);
      });
    }
    _renderNow(m) {
      this._stick = this._nearEnd();
      if (m.role === "visitor") m.content.replaceChildren(m.text);
      else m.content.replaceChildren(renderMarkdown(m.text, m.flags, this._S()));
      m.row.classList.toggle("streaming", !m.final && m.role !== "visitor");
      m.row.classList.toggle("pending", m.role === "visitor" && m.status === "sending");
      this._renderNotes(m);
      this._scrollToEnd();
    }
    _renderNotes(m) {
      const S = this._S();
      const ask = () => this._els.handoff && !this._els.handoff.hidden ? [" ", h("button", { type: "button", class: "flag-ask", part: "flag-ask", onclick: () => this.askForHuman() }, S.flag_ask)] : [];
      const notes = m.flags.filter((f) => f.action === "flag" || !f.action).map((f) => h(
        "div",
        { class: "flag-note", part: "flag-note", role: "note" },
        "⚠ ",
        S.flag_note,
        " ",
        h("span", { part: "flag-reason" }, fmt(S.flag_reason, { reason: f.reason || "" })),
        ask()
      ));
      if (m.cancelled) notes.push(h("div", { class: "note", part: "cancelled-note", role: "note" }, m.cancelled === "takeover" ? S.stopped_takeover : S.cancelled));
      m.notes.replaceChildren(...notes);
    }
    _renderMeta(m) {
      const S = this._S();
      const kids = [];
      m.timeEl = this._timeEl(m.ts);
      kids.push(m.timeEl);
      if (m.role === "visitor" && m.status) {
        const label = { sending: S.sending, sent: S.sent, failed: S.not_sent }[m.status];
        kids.push(h("span", { part: "message-status", class: "message-status", "data-state": m.status }, label));
      }
      if (m.final && !m.cancelled && (m.role === "assistant" || m.role === "agent") && m.text && this._cfg().feedback !== false) {
        const rated = this._feedback[m.id];
        const button = (rating, label, glyph) => h("button", {
          type: "button",
          class: "feedback",
          part: `feedback feedback-${rating}`,
          "aria-label": label,
          title: label,
          "aria-pressed": String(rated === rating),
          onclick: () => this._rate(m, rating)
        }, glyph);
        kids.push(button("up", S.feedback_up, thumb(false)), button("down", S.feedback_down, thumb(true)));
        if (rated) kids.push(h("span", { part: "feedback-thanks" }, S.feedback_thanks));
      }
      m.meta.replaceChildren(...kids);
      const refs = m.final && !m.cancelled ? this._references(m) : [];
      if (refs.length) {
        const items = refs.map((s, i) => {
          const href = safeUrl(s.url, IMG_PROTOCOLS);
          const title = String(s.title || s.id || "");
          const link = href ? h("a", { href, target: "_blank", rel: "noopener noreferrer nofollow", part: "source" }, title) : h("span", { part: "source" }, title);
          return h("li", { part: "citation", "data-citation": i + 1 }, h("span", { part: "citation-number", "aria-hidden": "true" }, String(i + 1)), link);
        });
        m.meta.append(h("div", { class: "sources", part: "sources" }, h("span", { part: "sources-label" }, S.sources + ":"), h("ol", { part: "citations" }, items)));
      }
    }
    /**
     * The sources an answer used (message.completed `citations`), in that order, each once (the same
     * link or title is the same source); every source for an event from before citations existed.
     */
    _references(m) {
      const byId = new Map(m.sources.filter(Boolean).map((s) => [s.id, s]));
      const used = Array.isArray(m.citations) ? m.citations.map((id) => byId.get(id)).filter(Boolean) : m.sources.filter(Boolean);
      const seen = /* @__PURE__ */ new Set();
      return used.filter((s) => {
        const key = safeUrl(s.url, IMG_PROTOCOLS) || String(s.title || s.id || "");
        if (!key || seen.has(key)) return false;
        seen.add(key);
        return true;
      });
    }
    /** <time datetime> with the relative time as text and the full time on hover (title) and focus. */
    _timeEl(ts) {
      const date = ts ? new Date(ts) : null;
      if (!date || Number.isNaN(date.getTime())) return null;
      const lang = this._lang();
      return h("time", { part: "time", class: "time", datetime: date.toISOString(), title: fullTime(date, lang), tabindex: "0" }, relativeTime(date, lang));
    }
    /** Relative times age: "now" becomes "1 min. ago" without a re-render of the message. */
    _refreshTimes() {
      const lang = this._lang();
      for (const m of this._msgs.values()) {
        if (m.timeEl) m.timeEl.textContent = relativeTime(new Date(m.timeEl.getAttribute("datetime")), lang);
      }
    }
    _notify(m) {
      const S = this._S();
      const name = m.author && m.author.name || (m.role === "agent" ? S.agent : this._assistantName || S.assistant);
      const said = m.content.cloneNode(true);
      for (const control of said.querySelectorAll("button")) control.remove();
      this._announce(fmt(S.new_message, { name, text: said.textContent }));
      if (this._layout() === "floating" && !this._open) {
        this._unread++;
        this._updateBadge();
      }
    }
    _typing(ev) {
      const t = this._els.typing;
      clearTimeout(this._typingOff);
      const S = this._S();
      if (ev.on) {
        const name = ev.name || (ev.who === "agent" ? this._agent && this._agent.name || S.agent : this._assistantName || S.assistant);
        t.querySelector('[part="typing-text"]').textContent = fmt(S.typing, { name });
        t.setAttribute("data-who", ev.who === "agent" ? "agent" : "assistant");
        t.hidden = false;
        this._typingOff = setTimeout(() => {
          t.hidden = true;
        }, 15e3);
      } else if (!ev.who || t.getAttribute("data-who") === ev.who || ev.who === "visitor") {
        t.hidden = true;
      }
    }
  };

  // src/styles.js
  var BASE_CSS = `
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

  // src/theme.js
  var colorCtx = null;
  function parseColor(value) {
    if (typeof value !== "string" || !value.trim()) return null;
    colorCtx = colorCtx || document.createElement("canvas").getContext("2d");
    colorCtx.fillStyle = "#010203";
    colorCtx.fillStyle = value;
    const out = colorCtx.fillStyle;
    if (out === "#010203" && value.trim().toLowerCase() !== "#010203") return null;
    if (out.startsWith("#")) return [1, 3, 5].map((i) => parseInt(out.slice(i, i + 2), 16));
    const m = /rgba?\(([^)]+)\)/.exec(out);
    return m ? m[1].split(",").slice(0, 3).map((x) => Math.round(parseFloat(x))) : null;
  }
  var hex = (rgb) => "#" + rgb.map((c) => Math.max(0, Math.min(255, Math.round(c))).toString(16).padStart(2, "0")).join("");
  var mix = (a, b, t) => a.map((c, i) => c + (b[i] - c) * t);
  function luminance(rgb) {
    const [r, g, b] = rgb.map((c) => {
      const s = c / 255;
      return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  }
  function contrast(a, b) {
    const [x, y] = [luminance(a), luminance(b)].sort((p, q) => q - p);
    return (x + 0.05) / (y + 0.05);
  }
  function readable(fg, bg, ratio = 4.5) {
    if (contrast(fg, bg) >= ratio) return fg;
    const target = luminance(bg) > 0.4 ? [0, 0, 0] : [255, 255, 255];
    for (let t = 0.1; t <= 1.001; t += 0.1) {
      const c = mix(fg, target, t);
      if (contrast(c, bg) >= ratio) return c;
    }
    return target;
  }
  var onColor = (bg) => contrast([255, 255, 255], bg) >= contrast([17, 17, 17], bg) ? [255, 255, 255] : [17, 17, 17];
  function themeVars(theme) {
    const t = theme || {};
    const c = (k, d) => parseColor(t[k]) || d;
    const bg = c("background", [255, 255, 255]);
    const text = readable(c("text", [29, 29, 31]), bg);
    const accent = c("accent", [37, 99, 235]);
    const surface = c("surface", mix(bg, text, 0.05));
    const onAccent = c("accent_text", onColor(accent));
    const userBg = c("user_bubble", accent);
    const botBg = c("bot_bubble", surface);
    const headerBg = c("header_background", accent);
    const vars = {
      "--sb-bg": hex(bg),
      "--sb-text": hex(text),
      "--sb-accent": hex(accent),
      "--sb-on-accent": hex(onAccent),
      "--sb-surface": hex(surface),
      "--sb-border": hex(c("border", mix(bg, text, 0.16))),
      "--sb-muted": hex(readable(c("muted", mix(text, bg, 0.3)), surface)),
      "--sb-user-bg": hex(userBg),
      "--sb-user-text": hex(c("user_text", readable(onColor(userBg), userBg))),
      "--sb-bot-bg": hex(botBg),
      "--sb-bot-text": hex(c("bot_text", readable(text, botBg))),
      "--sb-header-bg": hex(headerBg),
      "--sb-header-text": hex(c("header_text", onColor(headerBg))),
      "--sb-link": hex(c("link", readable(accent, botBg))),
      "--sb-flag-bg": hex(c("flag_background", mix(botBg, [255, 196, 0], 0.35))),
      "--sb-launcher-bg": hex(c("launcher_background", accent)),
      "--sb-launcher-text": hex(c("launcher_text", onColor(c("launcher_background", accent))))
    };
    vars["--sb-flag-text"] = hex(readable(text, parseColor(vars["--sb-flag-bg"])));
    vars["--sb-accent-readable"] = hex(readable(accent, bg));
    vars["--sb-error"] = hex(readable([176, 0, 32], bg));
    for (const [k, v] of Object.entries(t)) {
      const name = "--sb-" + k.replace(/_/g, "-");
      if (k in THEME_COLOR_KEYS || vars[name]) continue;
      if (typeof v === "string" || typeof v === "number") vars[name] = String(v);
    }
    return vars;
  }
  var THEME_COLOR_KEYS = Object.fromEntries(
    [
      "background",
      "text",
      "accent",
      "accent_text",
      "surface",
      "border",
      "muted",
      "user_bubble",
      "user_text",
      "bot_bubble",
      "bot_text",
      "header_background",
      "header_text",
      "link",
      "flag_background",
      "launcher_background",
      "launcher_text"
    ].map((k) => [k, 1])
  );
  var isDark = (theme) => {
    const bg = parseColor((theme || {}).background);
    return !!bg && luminance(bg) < 0.2;
  };
  var SURFACE_KEYS = ["background", "text", "surface", "border", "muted", "bot_bubble", "bot_text", "link", "flag_background", "accent_text", "user_text", "header_text", "launcher_text"];
  function darkTheme(theme, overrides) {
    const t = { ...theme || {} };
    if (!isDark(t)) {
      for (const k of SURFACE_KEYS) delete t[k];
      Object.assign(t, { background: "#16181d", text: "#e8eaed" });
    }
    return { ...t, ...overrides && typeof overrides === "object" ? overrides : {} };
  }
  var cssValue = (v) => String(v).replace(/[;{}<>\\]/g, "");

  // src/visitor.js
  var withVisitorActions = (Base) => class extends Base {
    _rate(m, rating) {
      this._feedback[m.id] = rating;
      this._frame({ type: "feedback", message_id: m.id, rating });
      this._persist();
      this._renderMeta(m);
    }
    // -- sending
    _submit() {
      const text = this._els.input.value;
      if (!text.trim()) return;
      this._els.input.value = "";
      store.set(this._prefix + "draft", null);
      this._sendText(text);
    }
    _sendText(text) {
      text = String(text ?? "");
      if (!text.trim()) return;
      const clientId = uid("c");
      const m = this._message("local:" + clientId, "visitor");
      m.clientId = clientId;
      m.text = text;
      m.status = "sending";
      m.ts = (/* @__PURE__ */ new Date()).toISOString();
      this._clientIds.set(clientId, m);
      this._renderNow(m);
      this._renderMeta(m);
      this._savedScroll = null;
      this._scrollToEnd(true);
      this._typingSent = false;
      this._queue({ type: "message.send", client_id: clientId, text });
    }
    _visitorTyping() {
      const now = Date.now();
      if (!this._typingSent || now - this._typingSent > 3e3) {
        this._typingSent = now;
        this._frame({ type: "typing", on: true });
      }
      clearTimeout(this._typingStop);
      this._typingStop = setTimeout(() => {
        this._typingSent = 0;
        this._frame({ type: "typing", on: false });
      }, 4e3);
    }
  };

  // src/element.js
  var SwitchboardChat = class extends withConversation(withStore(withProtocol(withComponents(withVisitorActions(withRendering(HTMLElement)))))) {
    static get observedAttributes() {
      return ["widget-key", "api-base", "layout", "open", "lang", "dir", "color-scheme"];
    }
    constructor() {
      super();
      this.attachShadow({ mode: "open" });
      this.config = this.config || null;
      this.renderers = this.renderers || {};
      this.templates = this.templates || {};
      this._msgs = /* @__PURE__ */ new Map();
      this._components = /* @__PURE__ */ new Map();
      this._seen = /* @__PURE__ */ new Set();
      this._clientIds = /* @__PURE__ */ new Map();
      this._lastSeq = 0;
      this._events = [];
      this._base = 0;
      this._recovery = null;
      this._quietUpTo = 0;
      this._outbox = [];
      this._feedback = {};
      this._pendingFlags = /* @__PURE__ */ new Map();
      this._attempt = 0;
      this._unread = 0;
      this._status = "idle";
      this._typingOff = null;
      this._rendering = /* @__PURE__ */ new Set();
    }
    // -- lifecycle
    connectedCallback() {
      if (this._mounted) return;
      this._mounted = true;
      this._closing = false;
      this._restoredFor = null;
      this.key = this.getAttribute("widget-key") || "";
      this.apiBase = (this.getAttribute("api-base") || SCRIPT_ORIGIN).replace(/\/$/, "");
      this._prefix = `switchboard:${this.key}:`;
      this._session = store.get(this._prefix + "session");
      const cached = store.get(this._prefix + "tenant");
      if (cached) this._setTenant(cached, false);
      this._tenantConfig = this._tenantConfig || {};
      const ui = tabStore.get(this._prefix + "ui") || {};
      this._open = this.hasAttribute("open") || ui.open === true;
      this._savedScroll = Number.isFinite(ui.scroll) && ui.scroll >= 0 ? ui.scroll : null;
      this._mobile = window.matchMedia(MOBILE_QUERY);
      this._build();
      if (this._session) this._restore();
      this._onOnline = () => this._reconnectNow();
      this._onVisible = () => {
        if (document.visibilityState === "visible") this._reconnectNow();
      };
      this._onHide = () => this._persistNow();
      this._onOffline = () => this._setStatus("offline");
      this._onMobile = () => this._lockPageScroll();
      this._mobile.addEventListener("change", this._onMobile);
      window.addEventListener("online", this._onOnline);
      window.addEventListener("offline", this._onOffline);
      document.addEventListener("visibilitychange", this._onVisible);
      window.addEventListener("pagehide", this._onHide);
      this._watchdog = setInterval(() => this._checkAlive(), 5e3);
      this._clock = setInterval(() => this._refreshTimes(), 3e4);
      this._loadConfig().finally(() => {
        if (this._session || this._layout() !== "floating" || this._open) this._connect();
      });
    }
    disconnectedCallback() {
      this._closing = true;
      clearInterval(this._watchdog);
      clearInterval(this._clock);
      clearTimeout(this._retryTimer);
      window.removeEventListener("online", this._onOnline);
      window.removeEventListener("offline", this._onOffline);
      document.removeEventListener("visibilitychange", this._onVisible);
      window.removeEventListener("pagehide", this._onHide);
      this._mobile.removeEventListener("change", this._onMobile);
      this._persistNow();
      if (this._ws) this._ws.close(1e3);
      this._ws = null;
      this._live = false;
      this._mounted = false;
      this._lockPageScroll();
    }
    attributeChangedCallback(name, _old, value) {
      if (!this._mounted) return;
      if (name === "open") this._setOpen(value !== null, false);
      if (["layout", "lang", "dir", "color-scheme"].includes(name)) this._applyConfig();
    }
    // -- public API
    /** Open the panel (floating layout). */
    open() {
      this._setOpen(true, true);
    }
    /** Close the panel (floating layout). */
    close() {
      this._setOpen(false, true);
    }
    /** Send a message as the visitor. */
    send(text) {
      this._sendText(text);
    }
    /** Ask for a human. */
    askForHuman(reason = "") {
      this._frame({ type: "handoff.ask", reason: String(reason).slice(0, 500) });
      this._system(this._S().handoff_asked);
    }
    /** Apply host-page overrides (theme, strings, layout, css...) over the tenant config. */
    setConfig(overrides) {
      this.config = overrides;
      this._applyConfig();
    }
    get state() {
      return { status: this._status, conversationId: this._session?.conversation_id ?? null, lastSeq: this._lastSeq, attempt: this._attempt };
    }
    // -- configuration
    _cfg() {
      const t = this._tenantConfig || {};
      const o = this.config || {};
      const merged = { ...t, ...o };
      merged.theme = { ...t.theme || {}, ...o.theme || {} };
      merged.strings = { ...t.strings || {}, ...o.strings || {} };
      merged.templates = { ...t.templates || {}, ...o.templates || {} };
      return merged;
    }
    _S() {
      const cfg = this._cfg();
      const lang = this._lang();
      const primary = lang.split("-")[0];
      const locales = cfg.locales || {};
      const local = locales[lang] || locales[primary] || {};
      const bundled = TRANSLATIONS[lang] || TRANSLATIONS[primary];
      const own = !bundled || primary === String(cfg.language || "en").toLowerCase().split("-")[0];
      const S = { ...STRINGS, ...bundled, ...own ? cfg.strings : {}, ...local };
      S.assistant_name = this._assistantName || S.assistant;
      return S;
    }
    /** The visitor's language: the element's lang attribute, else the page's, else the browser's. */
    _lang() {
      return (this.getAttribute("lang") || document.documentElement.lang || navigator.language || "en").toLowerCase();
    }
    /** Right to left for Arabic, Hebrew, Persian and Urdu; a dir="ltr|rtl" attribute decides instead. */
    _dir() {
      const d = (this.getAttribute("dir") || "").toLowerCase();
      if (d === "rtl" || d === "ltr") return d;
      return RTL_LANGUAGES.has(this._lang().split("-")[0]) ? "rtl" : "ltr";
    }
    /** 'light', 'dark', or 'auto' (the visitor's prefers-color-scheme): color-scheme attribute, else the tenant's. */
    _scheme() {
      const s = this.getAttribute("color-scheme") || this._cfg().color_scheme;
      return ["light", "dark"].includes(s) ? s : "auto";
    }
    _layout() {
      const l = this.getAttribute("layout") || this._cfg().layout;
      return ["floating", "embedded", "fullpage"].includes(l) ? l : "floating";
    }
    async _loadConfig() {
      try {
        const r = await fetch(`${this.apiBase}/v1/widget-config/${encodeURIComponent(this.key)}`);
        if (r.ok) this._setTenant(await r.json());
      } catch {
      }
    }
    _setTenant(data, apply = true) {
      if (!data || typeof data !== "object") return;
      const widget = data.widget && typeof data.widget === "object" ? data.widget : data;
      this._tenantConfig = widget;
      if (data.assistant_name) this._assistantName = String(data.assistant_name);
      if (data.name) this._tenantName = String(data.name);
      if (!apply) return;
      store.set(this._prefix + "tenant", { widget, assistant_name: this._assistantName, name: this._tenantName });
      this._applyConfig();
    }
    // -- DOM
    _build() {
      const root = this.shadowRoot;
      this._themeStyle = h("style");
      this._customStyle = h("style");
      this._els = {};
      this._structureKey = null;
      this._root = h("div", { class: "root", part: "root" });
      root.replaceChildren(h("style", null, BASE_CSS), this._themeStyle, this._root, this._customStyle);
      this._applyConfig();
    }
    _applyConfig() {
      const cfg = this._cfg();
      const S = this._S();
      const block = (theme, scheme2) => `:host { ${Object.entries(themeVars(theme)).map(([k, v]) => `${k}: ${cssValue(v)};`).join(" ")} color-scheme: ${scheme2}; }`;
      const scheme = this._scheme();
      const light = block(cfg.theme, isDark(cfg.theme) ? "dark" : "light");
      const dark = block(darkTheme(cfg.theme, cfg.theme_dark), "dark");
      this._themeStyle.textContent = scheme === "light" ? light : scheme === "dark" ? dark : `${light}
@media (prefers-color-scheme: dark) { ${dark} }`;
      this.setAttribute("data-color-scheme", scheme);
      this._customStyle.textContent = typeof cfg.css === "string" ? cfg.css : "";
      const layout = this._layout();
      const pick = (v, allowed, d) => allowed.includes(v) ? v : d;
      this._root.className = [
        "root",
        layout,
        cfg.position === "bottom-left" ? "left" : "",
        "b-" + pick(cfg.bubble, ["rounded", "square", "pill", "tail", "leaf"], "rounded"),
        "h-" + pick(cfg.header, ["classic", "centered", "compact", "minimal"], "classic"),
        "a-" + pick(cfg.animation, ["slide", "fade", "pop", "none"], "slide")
      ].filter(Boolean).join(" ");
      this.setAttribute("data-layout", layout);
      this._root.setAttribute("dir", this._dir());
      this._root.setAttribute("lang", this._lang());
      this._root.toggleAttribute("data-open", layout === "floating" && !!this._open);
      this._lockPageScroll();
      const key = JSON.stringify([layout, cfg.templates, S]);
      if (key === this._structureKey) {
        this._refreshHeader();
        return;
      }
      this._structureKey = key;
      this._renderStructure(cfg, S, layout);
    }
  };

  // src/index.js
  if (window.customElements && !customElements.get(TAG)) {
    customElements.define(TAG, SwitchboardChat);
    window.Switchboard = Object.freeze({
      version: VERSION,
      element: SwitchboardChat,
      /** Register a renderer for a component type: fn(component, ctx) -> Node (null falls back to the default). */
      registerRenderer(type, fn) {
        registry.renderers.set(String(type), fn);
      },
      /** Override a template for every widget on the page: 'launcher' | 'header' | 'bubble'; fn(ctx) -> Element. */
      setTemplate(name, fn) {
        registry.templates[name] = fn;
      },
      /** The safe markdown renderer, for custom renderers that show markdown. */
      renderMarkdown: (text) => renderMarkdown(String(text ?? ""), [], STRINGS),
      /** The languages the widget has bundled strings for, besides English. */
      languages: Object.freeze(Object.keys(TRANSLATIONS)),
      /** The bundled strings for a language tag ('pt-BR' falls back to 'pt'; English when none). */
      strings(lang) {
        const tag = String(lang ?? "").toLowerCase();
        return { ...STRINGS, ...TRANSLATIONS[tag] || TRANSLATIONS[tag.split("-")[0]] };
      },
      backoff,
      safeUrl,
      h
    });
    if (SCRIPT && SCRIPT.dataset.widgetKey) {
      const mount = () => {
        const el = document.createElement(TAG);
        el.setAttribute("widget-key", SCRIPT.dataset.widgetKey);
        el.setAttribute("api-base", SCRIPT.dataset.apiBase || SCRIPT_ORIGIN);
        if (SCRIPT.dataset.layout) el.setAttribute("layout", SCRIPT.dataset.layout);
        const target = SCRIPT.dataset.target ? document.querySelector(SCRIPT.dataset.target) : null;
        (target || document.body).append(el);
      };
      if (document.body) mount();
      else document.addEventListener("DOMContentLoaded", mount);
    }
  }
})();
