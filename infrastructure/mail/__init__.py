"""Outgoing mail: its templates, the senders (SMTP, the log, a folder) and the worker."""
