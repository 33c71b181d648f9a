"""Test doubles shared by every test tree (and by benches).

- openai_server: an OpenAI-compatible server streaming scripted replies (FakeOpenAI in this
  loop, FakeOpenAIThread for sync code, ``python -m tests.fakes.openai_server`` as a process);
- scripted_provider: a model provider streaming scripted chunks that can pause mid-reply.
"""
