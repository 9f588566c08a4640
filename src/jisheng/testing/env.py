"""Pytest plugin loaded before Django: a throwaway instance folder and test settings.

Loaded with ``-p jisheng.testing.env`` (pyproject addopts) so that it runs before
pytest-django imports the settings module.
"""

from __future__ import annotations

import os
import tempfile

os.environ["JISHENG_ENV"] = "test"
os.environ.setdefault("JISHENG_HOME", tempfile.mkdtemp(prefix="jisheng-test-"))
os.environ.pop("JISHENG_KEY_FILE", None)
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs a loop
