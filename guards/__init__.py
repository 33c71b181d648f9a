"""Guards that watch conversations as they happen: hallucination guard and sentiment monitor."""
