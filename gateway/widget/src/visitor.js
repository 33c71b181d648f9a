import { uid } from './dom.js';
import { store } from './store.js';

export const withVisitorActions = (Base) =>
  class extends Base {
    _rate(m, rating) {
      this._feedback[m.id] = rating;
      this._frame({ type: 'feedback', message_id: m.id, rating });
      this._persist();
      this._renderMeta(m);
    }

    // -- sending

    _submit() {
      const text = this._els.input.value;
      if (!text.trim()) return;
      this._els.input.value = '';
      store.set(this._prefix + 'draft', null);
      this._sendText(text);
    }

    _sendText(text) {
      text = String(text ?? '');
      if (!text.trim()) return;
      const clientId = uid('c');
      const m = this._message('local:' + clientId, 'visitor');
      m.clientId = clientId;
      m.text = text;
      m.status = 'sending';
      m.ts = new Date().toISOString();
      this._clientIds.set(clientId, m);
      this._renderNow(m);
      this._renderMeta(m);
      this._savedScroll = null;
      this._scrollToEnd(true); // wherever the visitor was reading, what they send is in view
      this._typingSent = false;
      this._queue({ type: 'message.send', client_id: clientId, text });
    }

    _visitorTyping() {
      const now = Date.now();
      if (!this._typingSent || now - this._typingSent > 3000) {
        this._typingSent = now;
        this._frame({ type: 'typing', on: true });
      }
      clearTimeout(this._typingStop);
      this._typingStop = setTimeout(() => {
        this._typingSent = 0;
        this._frame({ type: 'typing', on: false });
      }, 4000);
    }
  };
