"""Test doubles shared by every test tree (and by benches)."""
