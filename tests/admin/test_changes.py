"""The admin API's pure parts: merge patches, audit diffs, secret masking, admin keys."""

from __future__ import annotations

import pytest

from admin.changes import diff, fingerprint, merge_patch, redact
from admin.config import DEMO_ADMIN_KEY, DEMO_ADMIN_KEY_ID, AdminSettings, admin_keys, key_id_of
from shared.settings import Settings
from tests.conftest import TEST_SECRET


def test_merge_patch_merges_objects_removes_nulls_and_replaces_lists() -> None:
    config = {"widget": {"theme": {"accent": "#000", "radius": 4}}, "handoff": {"keywords": ["a", "b"]}, "x": 1}
    patch = {"widget": {"theme": {"accent": "#fff"}}, "handoff": {"keywords": ["c"]}, "x": None}
    assert merge_patch(config, patch) == {
        "widget": {"theme": {"accent": "#fff", "radius": 4}},
        "handoff": {"keywords": ["c"]},
    }
    assert config["x"] == 1  # the original is untouched


def test_redact_masks_every_secret_at_any_depth() -> None:
    config = {
        "identity_secret": "s1",
        "api_keys": ["k1", "k2"],
        "handoff": {"webhook_secret": "whsec_x", "keywords": ["human"]},
        "tools": [{"handler": {"url": "https://x.example", "secret": "whsec_y"}}],
        "webhook_secret": None,
    }
    assert redact(config) == {
        "identity_secret": "***",
        "api_keys": ["***", "***"],
        "handoff": {"webhook_secret": "***", "keywords": ["human"]},
        "tools": [{"handler": {"url": "https://x.example", "secret": "***"}}],
        "webhook_secret": None,
    }


def test_diff_lists_changed_paths_and_shows_a_rotated_secret_masked() -> None:
    before = {"name": "A", "guard": {"action": "flag"}, "identity_secret": "old"}
    after = {"name": "A", "guard": {"action": "replace"}, "identity_secret": "new", "assistant_name": "Ada"}
    assert diff(before, after) == [
        {"path": "assistant_name", "before": None, "after": "Ada"},
        {"path": "guard.action", "before": "flag", "after": "replace"},
        {"path": "identity_secret", "before": "***", "after": "***"},
    ]
    assert diff(after, after) == []


def test_fingerprint_ignores_key_order() -> None:
    assert fingerprint({"a": 1, "b": {"c": 2}}) == fingerprint({"b": {"c": 2}, "a": 1}) != fingerprint({"a": 2})
    assert fingerprint(None) is None


def settings(environment: str) -> Settings:
    return Settings(environment=environment, secret_key=TEST_SECRET)  # type: ignore[arg-type]


def test_the_demo_admin_key_only_in_development() -> None:
    assert admin_keys(settings("development"), AdminSettings(api_keys=None)) == {DEMO_ADMIN_KEY: DEMO_ADMIN_KEY_ID}
    assert admin_keys(settings("test"), AdminSettings(api_keys=None)) == {}
    with pytest.raises(ValueError, match="public demo key"):
        admin_keys(settings("test"), AdminSettings(api_keys=f"ops:{DEMO_ADMIN_KEY}"))


def test_admin_keys_with_and_without_ids_and_too_short() -> None:
    secret = "a-long-enough-admin-secret-0001"
    bare = "another-long-admin-secret-0002"
    assert admin_keys(settings("test"), AdminSettings(api_keys=f"ops:{secret}, {bare}")) == {
        secret: "ops",
        bare: key_id_of(bare),
    }
    with pytest.raises(ValueError, match="at least 24 characters"):
        admin_keys(settings("test"), AdminSettings(api_keys="ops:short"))
