"""Admin registrations of the reporting app."""

from reporting import admin_recipients  # noqa: E402, F401 - registers the recipient data admin
