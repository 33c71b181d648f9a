"""Evaluation of the guards on labeled development sets: `python -m guards.eval`."""
