"""Process runner, recorder and CLI."""
