"""Quill under gunicorn on PostgreSQL against a bare Flask ceiling, driven by wrk."""
