"""Settings of the stack ``bench/http_load.py`` starts: the project's own, with the bench's URLconf.

Only the bench uses this module (DJANGO_SETTINGS_MODULE=bench.support.http_settings); the production image
does not contain ``bench/`` (Dockerfile), so the floor view below can never be reached there.
"""

from spm.settings import *  # noqa: F403

ROOT_URLCONF = "bench.support.http_urls"
