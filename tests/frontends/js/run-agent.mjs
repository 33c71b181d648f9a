// Runs one conversation turn against POST /agui with the official AG-UI client (@ag-ui/client).
// Usage: node run-agent.mjs <gateway url> <visitor token> <thread id> <question>
// Prints one JSON line: what the client's own subscriber callbacks and agent state received.
import { HttpAgent } from "@ag-ui/client";

const [url, token, threadId, question] = process.argv.slice(2);
const agent = new HttpAgent({ url: `${url}/agui`, headers: { Authorization: `Bearer ${token}` }, threadId });
agent.addMessage({ id: `q-${Date.now()}`, role: "user", content: question });

const seen = { types: [], text: "", custom: [], state: null, error: null };
try {
  await agent.runAgent(
    {},
    {
      onEvent: ({ event }) => { seen.types.push(event.type); },
      onTextMessageContentEvent: ({ event }) => { seen.text += event.delta; },
      onCustomEvent: ({ event }) => { seen.custom.push(event.name); },
      onStateChanged: ({ state }) => { seen.state = state; },
    },
  );
} catch (error) {
  seen.error = String(error);
}
seen.messages = agent.messages.map((m) => ({ role: m.role, content: m.content }));
console.log(JSON.stringify(seen));
