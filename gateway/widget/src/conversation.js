import { TAKEOVER_REASONS } from './env.js';
import { fmt } from './i18n.js';

export const withConversation = (Base) =>
  class extends Base {
    /** Apply one event exactly once: by id, and for durable events by seq. */
    _apply(ev) {
      if (ev.id) {
        if (this._seen.has(ev.id)) return;
        this._seen.add(ev.id);
        if (this._seen.size > 5000) this._seen = new Set(Array.from(this._seen).slice(-2500));
      }
      const durable = typeof ev.seq === 'number';
      if (durable) {
        if (ev.seq <= this._lastSeq) return;
        this._lastSeq = ev.seq;
        this._events.push(ev); // replayed ones too: the next save must keep them
        if (!this._replaying) this._persist();
      }
      const live = !this._replaying && !(durable && ev.seq <= this._quietUpTo);
      const S = this._S();
      switch (ev.type) {
        case 'message.user': {
          let m = this._clientIds.get(ev.client_id);
          if (m) {
            if (this._recovery) this._els.log.append(m.row); // in its place among the replayed history
            this._msgs.delete(m.id);
            m.id = ev.message_id;
            m.row.setAttribute('data-message-id', m.id);
            this._msgs.set(m.id, m);
          } else {
            m = this._msgs.get(ev.message_id) || this._message(ev.message_id, 'visitor');
            m.clientId = ev.client_id;
            if (ev.client_id) this._clientIds.set(ev.client_id, m);
          }
          m.text = String(ev.text ?? m.text);
          m.status = 'sent';
          m.ts = ev.ts || m.ts;
          this._outbox = this._outbox.filter((o) => o.frame.client_id !== ev.client_id);
          this._renderNow(m);
          this._renderMeta(m);
          return;
        }
        case 'message.created': {
          const m = this._message(ev.message_id, ev.role || 'assistant', ev.author);
          if (Array.isArray(ev.sources)) m.sources = ev.sources;
          m.ts = m.ts || ev.ts;
          this._typing({ who: m.role, on: false });
          this._render(m);
          return;
        }
        case 'message.delta': {
          const m = this._message(ev.message_id, this._agent ? 'agent' : 'assistant');
          if (m.final) return;
          const offset = Number(ev.offset) || 0;
          if (offset > m.text.length) return; // a gap: the resume (offset 0) or the completion fills it
          m.text = m.text.slice(0, offset) + String(ev.text ?? '');
          this._typing({ who: m.role, on: false });
          this._render(m);
          return;
        }
        case 'message.completed': {
          const m = this._message(ev.message_id, ev.role || 'assistant', ev.author);
          m.text = String(ev.text ?? '');
          m.final = true;
          m.ts = ev.ts || m.ts;
          if (Array.isArray(ev.sources)) m.sources = ev.sources;
          m.citations = Array.isArray(ev.citations) ? ev.citations : null; // null: an older event, all sources
          this._renderNow(m);
          this._renderMeta(m);
          this._addComponents(m, ev.components);
          this._typing({ who: m.role, on: false });
          if (live && m.role !== 'visitor') this._notify(m);
          return;
        }
        case 'message.cancelled': {
          const m = this._msgs.get(ev.message_id);
          if (!m) return;
          if (typeof ev.text === 'string' && ev.text.length >= m.text.length) m.text = ev.text;
          if (!m.text.trim()) {
            // Stopped before it said anything: nothing to keep.
            this._msgs.delete(m.id);
            for (const [id, c] of this._components) if (c.messageId === m.id) this._components.delete(id);
            m.row.remove();
            return;
          }
          m.final = true;
          m.cancelled = TAKEOVER_REASONS.has(String(ev.reason || '')) ? 'takeover' : 'stopped';
          this._renderNow(m);
          this._renderMeta(m);
          return;
        }
        case 'message.flagged': {
          const flag = { start: Number(ev.start) || 0, end: Number(ev.end) || 0, action: ev.action || 'flag', reason: ev.reason, replacement: ev.replacement };
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
        case 'component.updated':
          this._updateComponent(ev);
          return;
        case 'typing':
          if (live) this._typing(ev);
          return;
        case 'notice':
          this._system(String(ev.text ?? ''), null, 'system notice');
          if (live) this._announce(String(ev.text ?? ''));
          return;
        case 'handoff.queued': {
          const text = ev.position ? `${S.handoff_queued} ${fmt(S.handoff_queued_position, { position: ev.position })}` : S.handoff_queued;
          this._system(text, null, 'system handoff-queued');
          if (live) this._announce(text);
          return;
        }
        case 'handoff.accepted': {
          const agent = ev.agent || { name: S.agent };
          this._agent = { name: String(agent.name || S.agent), avatar_url: agent.avatar_url };
          const text = fmt(S.agent_joined, { name: this._agent.name });
          this._system(text, this._agent, 'system agent-joined');
          this._refreshHeader();
          if (live) this._announce(text);
          return;
        }
        case 'handoff.ended': {
          const agent = ev.agent || this._agent;
          this._agent = null;
          const text = ev.outcome === 'resolved' && !agent ? S.conversation_resolved : fmt(S.agent_left, { name: (agent && agent.name) || S.agent });
          this._system(text, agent, 'system agent-left');
          if (ev.outcome === 'resolved' && agent) this._system(S.conversation_resolved, null, 'system resolved');
          this._refreshHeader();
          if (live) this._announce(text);
          return;
        }
        default:
      }
    }
  };
