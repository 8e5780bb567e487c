"""e-SPM project package: settings, URLs, the Celery app, and the catalogue and organisation models."""

from .celery import app as celery_app

__all__ = ("celery_app",)
