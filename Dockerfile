# e-SPM production image: gunicorn serving Django (static files through WhiteNoise); the same image runs the
# Celery worker and beat (see docker-compose.yml). Build: docker build -t espm .

# --- Front-end libraries from the npm registry (pinned in package-lock.json), never from a CDN. ----------
# Copies what the Makefile's `vendor` target copies (tests/test_deploy.py compares the two), plus the source map
# chart.umd.min.js points at: manifest storage (STATIC_MANIFEST=1) refuses to collect a file whose map is missing.
FROM node:20-slim AS vendor
WORKDIR /build
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund --loglevel=error \
 && mkdir -p static/vendor/bootstrap static/vendor/bootstrap-icons static/vendor/htmx static/vendor/chartjs \
 && cp node_modules/bootstrap/dist/css/bootstrap.min.css node_modules/bootstrap/dist/css/bootstrap.min.css.map static/vendor/bootstrap/ \
 && cp node_modules/bootstrap/dist/js/bootstrap.bundle.min.js node_modules/bootstrap/dist/js/bootstrap.bundle.min.js.map static/vendor/bootstrap/ \
 && cp -r node_modules/bootstrap-icons/font/bootstrap-icons.min.css node_modules/bootstrap-icons/font/fonts static/vendor/bootstrap-icons/ \
 && cp node_modules/htmx.org/dist/htmx.min.js static/vendor/htmx/ \
 && cp node_modules/chart.js/dist/chart.umd.min.js static/vendor/chartjs/ \
 && cp node_modules/chart.js/dist/chart.umd.min.js.map static/vendor/chartjs/

# --- Runtime ----------------------------------------------------------------------------------------------
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DJANGO_SETTINGS_MODULE=spm.settings \
    MEDIA_ROOT=/app/media

RUN groupadd --system --gid 1000 espm \
 && useradd --system --uid 1000 --gid espm --home-dir /app --no-create-home --shell /usr/sbin/nologin espm

WORKDIR /app

# Runtime requirements only (requirements-dev.txt holds the test tools).
COPY requirements.txt ./
RUN pip install --no-cache-dir -r requirements.txt

# The project, path by path, so local files (.env, .secret_key, db.sqlite3, .venv, node_modules) never reach
# the image. A new app needs its line here (tests/test_deploy.py checks INSTALLED_APPS against this list).
COPY manage.py ./
COPY spm/ spm/
COPY reporting/ reporting/
COPY targets/ targets/
COPY evaluation/ evaluation/
COPY templates/ templates/
COPY static/ static/
COPY locale/ locale/
RUN rm -rf static/vendor
COPY --from=vendor /build/static/vendor/ static/vendor/

# Collect static files with hashed names (WhiteNoise manifest storage). The key only satisfies settings at
# build time; it is not kept in the image. The running containers read SECRET_KEY from the environment.
ARG BUILD_SECRET_KEY=build-only-collectstatic-key-not-used-at-run-time
RUN SECRET_KEY="$BUILD_SECRET_KEY" STATIC_MANIFEST=1 python manage.py collectstatic --noinput \
 && mkdir -p /app/media \
 && chown espm:espm /app/media

# Static collection happens above, so the running app needs to write only to MEDIA_ROOT (a volume).
ENV STATIC_MANIFEST=1
USER espm

EXPOSE 8000
# Bind address, workers, logs and multiprocess metrics: spm/gunicorn_conf.py.
CMD ["gunicorn", "-c", "python:spm.gunicorn_conf", "spm.wsgi:application"]
