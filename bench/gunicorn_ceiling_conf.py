"""Gunicorn settings for the ceiling (and for Quill while it has no gunicorn.conf.py of its own).

Workers, worker class, threads and bind come from the command line, the same for both targets.
"""

accesslog = None
