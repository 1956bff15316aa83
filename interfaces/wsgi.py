"""The WSGI entry point for gunicorn (`interfaces.wsgi:app`): the app, from the environment.

This is the one module that builds something at import time; that is what it is for. It lives
outside interfaces.http on purpose: wiring the container imports every module of that package.
"""

from __future__ import annotations

import sys

from interfaces.container import SettingsError
from interfaces.http.app import create_app

try:
    app = create_app()
except SettingsError as error:
    # One clear line instead of a traceback per worker; 4 tells gunicorn the app cannot load,
    # so it stops instead of restarting workers that will fail the same way.
    print(f"quill: {error}", file=sys.stderr)
    raise SystemExit(4) from None
