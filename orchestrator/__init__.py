"""The orchestrator: answers visitor messages with a LangGraph turn, streamed over the bus."""
