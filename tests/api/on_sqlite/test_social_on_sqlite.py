"""The issue 17 API suites again, through the real SQL adapters on SQLite (conftest.py here):
the same answers from HTTP whatever the storage."""

from __future__ import annotations

from tests.api.test_comments_api import *  # noqa: F403
from tests.api.test_feed_api import *  # noqa: F403
from tests.api.test_profiles_api import *  # noqa: F403
from tests.api.test_social_posts_api import *  # noqa: F403
