"""gunicorn settings for the production image: ``gunicorn -c python:spm.gunicorn_conf spm.wsgi:application``.

Several gunicorn workers serve /metrics in turn, so each must report the metrics of all of them: with
``PROMETHEUS_MULTIPROC_DIR`` set (docker-compose.yml), prometheus_client writes every process's metrics to
files there and /metrics reads them all (docs/OPERATIONS.md).
"""

from __future__ import annotations

import os
import shutil

from spm.observability import logging_config

bind = "0.0.0.0:8000"
workers = int(os.environ.get("WEB_CONCURRENCY", "3"))
# Longer than the slowest page (an xlsx export of a daerah's recipients), shorter than the proxy's timeout.
timeout = 120
# gunicorn's own lines (start-up, worker timeouts, the access log) in the app's format: JSON in compose,
# through the same NIK mask. The access line names the response's request id.
logconfig_dict = logging_config(
    log_format=os.environ.get("LOG_FORMAT", "plain"), level=os.environ.get("LOG_LEVEL", "INFO")
)
accesslog = "-"
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(L)ss request_id=%({x-request-id}o)s'


def on_starting(server) -> None:
    """Start from an empty metrics folder: files of a previous run would be counted again."""
    folder = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if folder:
        shutil.rmtree(folder, ignore_errors=True)
        os.makedirs(folder, exist_ok=True)


def child_exit(server, worker) -> None:
    """A gunicorn worker that ended no longer counts in the live gauges."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)


def post_worker_init(worker) -> None:
    """Move everything the worker loaded at start (Django, the apps, the URL and template caches) out of the
    garbage collector's sight: a full collection then walks only what requests allocate, instead of stopping a
    request for the hundreds of thousands of objects that live as long as the worker (the "gc.freeze" of
    CPython's documentation, for pre-loaded servers)."""
    import gc

    gc.freeze()
