from tests.shared.db.backends import *  # noqa: F403
