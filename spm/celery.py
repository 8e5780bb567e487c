"""The Celery application. Configuration lives in Django settings under the ``CELERY_`` namespace."""

import os

from celery import Celery
from celery.signals import setup_logging

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "spm.settings")

app = Celery("spm")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@setup_logging.connect
def use_django_logging(**_kwargs) -> None:
    """Workers and beat log like the web: ``LOGGING`` from the settings (JSON or plain lines, the request id,
    the NIK mask) instead of Celery's own handler on the root logger."""
    from logging.config import dictConfig

    from django.conf import settings

    dictConfig(settings.LOGGING)
