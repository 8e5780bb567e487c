"""The production stack (Dockerfile, docker-compose.yml, .env.example) points at code and settings that exist.

Docker does not run on our machines, so these tests read the three files and check them against the project:
a renamed module, a removed management command or a new setting fails here instead of on the server.
"""

from __future__ import annotations

import importlib
import re
import shlex
from pathlib import Path, PurePosixPath

import pytest
import yaml
from celery.app.utils import find_app
from django.conf import settings
from django.core.management import get_commands
from django.http.request import validate_host
from django.urls import Resolver404, resolve

from spm import config

ROOT = Path(__file__).resolve().parent.parent
COMPOSE_TEXT = (ROOT / "docker-compose.yml").read_text(encoding="utf-8")
COMPOSE = yaml.safe_load(COMPOSE_TEXT)
SERVICES: dict[str, dict] = COMPOSE["services"]
SETTINGS_SOURCES = [ROOT / "spm" / "settings.py", ROOT / "spm" / "celery.py", ROOT / "spm" / "config.py"]

# Celery worker services, one per group of queues (worker-imports, worker-default …).
WORKER_SERVICES = tuple(
    name for name, service in SERVICES.items() if re.match(r"celery .*\bworker\b", str(service.get("command", "")))
)
APP_SERVICES = ("web", *WORKER_SERVICES)
BACKING_SERVICES = ("postgres", "redis")

# Ways the settings read an environment variable: env("X") (env = os.environ.get), env.bool("X"), os.environ…
ENV_READ_PATTERNS = [
    re.compile(r"""\benv(?:\.\w+)?\(\s*["']([A-Z][A-Z0-9_]*)["']"""),
    re.compile(r"""os\.environ\.get\(\s*["']([A-Z][A-Z0-9_]*)["']"""),
    re.compile(r"""os\.environ\[\s*["']([A-Z][A-Z0-9_]*)["']\s*\]"""),
    re.compile(r"""os\.getenv\(\s*["']([A-Z][A-Z0-9_]*)["']"""),
]
WSGI_TARGET = re.compile(r"^([A-Za-z_][\w.]*):([A-Za-z_]\w*)$")


# --- Reading the files -----------------------------------------------------------------------------------


def _env_example() -> dict[str, str]:
    values: dict[str, str] = {}
    for line in (ROOT / ".env.example").read_text(encoding="utf-8").splitlines():
        match = re.match(r"^([A-Z][A-Z0-9_]*)=(.*)$", line.strip())
        if match:
            values[match.group(1)] = match.group(2)
    return values


def _as_text(value: str | list[str] | None) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        if value and value[0] in ("CMD", "CMD-SHELL", "NONE"):
            value = value[1:]
        return value[0] if len(value) == 1 else shlex.join(value)
    return value


def _service_commands() -> list[tuple[str, str]]:
    """(service, shell text) for every command, entrypoint and health check in docker-compose.yml."""
    found = []
    for name, service in SERVICES.items():
        for text in (
            _as_text(service.get("entrypoint")),
            _as_text(service.get("command")),
            _as_text(service.get("healthcheck", {}).get("test")),
        ):
            if text:
                found.append((name, text))
    return found


class Dockerfile:
    """The Dockerfile as stages of (instruction, arguments), continuation lines joined."""

    def __init__(self, path: Path) -> None:
        logical: list[str] = []
        pending = ""
        for raw in path.read_text(encoding="utf-8").splitlines():
            line = raw.strip()
            if not pending and (not line or line.startswith("#")):
                continue
            if line.endswith("\\"):
                pending += line[:-1] + " "
                continue
            logical.append(pending + line)
            pending = ""
        self.stages: list[dict] = []
        for line in logical:
            keyword, _sep, args = line.partition(" ")
            keyword = keyword.upper()
            if keyword == "FROM":
                parts = args.split()
                alias = parts[2] if len(parts) >= 3 and parts[1].upper() == "AS" else None
                self.stages.append({"image": parts[0], "name": alias, "instructions": []})
            else:
                self.stages[-1]["instructions"].append((keyword, args.strip()))

    @property
    def final(self) -> dict:
        return self.stages[-1]

    def stage_from(self, image_prefix: str) -> dict:
        stages = [s for s in self.stages if s["image"].startswith(image_prefix)]
        assert stages, f"the Dockerfile has no stage built from {image_prefix}"
        return stages[0]

    @staticmethod
    def args(stage: dict, keyword: str) -> list[str]:
        return [args for kw, args in stage["instructions"] if kw == keyword]

    @staticmethod
    def workdir(stage: dict) -> str:
        workdirs = Dockerfile.args(stage, "WORKDIR")
        return workdirs[-1] if workdirs else "/"

    def cmd(self) -> str:
        (cmd,) = self.args(self.final, "CMD")[-1:]
        return shlex.join(yaml.safe_load(cmd)) if cmd.startswith("[") else cmd


DOCKERFILE = Dockerfile(ROOT / "Dockerfile")


def _copies(commands: list[str], variables: dict[str, str]) -> set[tuple[str, str]]:
    """(source, destination file or folder) for every `cp` in shell commands, with $(VAR) expanded."""
    pairs: set[tuple[str, str]] = set()
    for command in commands:
        for variable, value in variables.items():
            command = command.replace(f"$({variable})", value)
        for part in re.split(r"&&|;", command):
            words = shlex.split(part)
            if not words or words[0] != "cp":
                continue
            paths = [w for w in words[1:] if not w.startswith("-")]
            destination = paths[-1].rstrip("/")
            for source in paths[:-1]:
                pairs.add((source, f"{destination}/{PurePosixPath(source).name}"))
    return pairs


def _makefile_vendor_copies() -> set[tuple[str, str]]:
    lines = (ROOT / "Makefile").read_text(encoding="utf-8").splitlines()
    assignments = (re.match(r"^(\w+)\s*:?=\s*(.*)$", line) for line in lines)
    variables = {m.group(1): m.group(2).strip() for m in assignments if m}
    recipe: list[str] = []
    in_target = False
    for line in lines:
        if re.match(r"^\$\(VENDOR\)/\.installed\s*:", line):
            in_target = True
        elif in_target and line.startswith("\t"):
            recipe.append(line.strip())
        elif in_target:
            break
    pairs = _copies(recipe, variables)
    assert pairs, "found no cp in the Makefile's vendor target"
    return pairs


def _dockerfile_vendor_copies() -> set[tuple[str, str]]:
    return _copies(Dockerfile.args(DOCKERFILE.stage_from("node:"), "RUN"), {})


def _final_stage_destinations() -> set[str]:
    """Paths (relative to WORKDIR) that the runtime stage copies something into."""
    found: set[str] = set()
    for args in Dockerfile.args(DOCKERFILE.final, "COPY"):
        words = [w for w in shlex.split(args) if not w.startswith("--")]
        *sources, destination = words
        destination = destination.removeprefix("./").rstrip("/")
        if destination in ("", "."):
            found.update(PurePosixPath(s).name for s in sources)
        else:
            found.add(destination)
    return found


# --- docker-compose.yml ------------------------------------------------------------------------------------


def test_stack_has_web_workers_beat_postgres_and_redis():
    assert {"web", "beat", "postgres", "redis"} <= set(SERVICES)
    assert len(WORKER_SERVICES) >= 2, "one worker per group of queues"


def test_gunicorn_serves_an_importable_wsgi_application():
    gunicorn_commands = [text for _name, text in _service_commands() if "gunicorn" in text] + [DOCKERFILE.cmd()]
    assert any("gunicorn" in text for name, text in _service_commands() if name == "web")
    for text in gunicorn_commands:
        words = shlex.split(text)
        targets = [m for m in map(WSGI_TARGET.match, words[words.index("gunicorn") + 1 :]) if m]
        assert len(targets) == 1, f"cannot find the WSGI application in: {text}"
        module_name, attribute = targets[0].groups()
        application = getattr(importlib.import_module(module_name), attribute)
        assert callable(application)
        assert f"{module_name}.{attribute}" == settings.WSGI_APPLICATION


def test_celery_commands_name_the_spm_celery_app():
    from spm.celery import app

    celery_commands = [(name, text) for name, text in _service_commands() if text.startswith("celery ")]
    assert {name for name, _text in celery_commands} >= {*WORKER_SERVICES, "beat"}
    for name, text in celery_commands:
        match = re.search(r"(?:-A|--app)[ =](\S+)", text)
        assert match, f"{name}: celery without -A: {text}"
        assert find_app(match.group(1)) is app
    for name in WORKER_SERVICES:
        assert " worker " in f"{_as_text(SERVICES[name]['command'])} "
    assert " beat " in f"{_as_text(SERVICES['beat']['command'])} "


def test_manage_py_commands_in_the_stack_exist():
    commands = get_commands()
    named = [
        (name, command) for name, text in _service_commands() for command in re.findall(r"manage\.py\s+([\w-]+)", text)
    ]
    assert named, "no service runs manage.py"
    for name, command in named:
        assert command in commands, f"{name}: manage.py {command} does not exist"


def test_web_starts_after_migrate_and_reference_data_load():
    def runs_before_web(service_name: str) -> str:
        service = SERVICES[service_name]
        return _as_text(service.get("entrypoint")) + " " + _as_text(service.get("command"))

    setup = runs_before_web("web")
    for dependency, condition in SERVICES["web"].get("depends_on", {}).items():
        if condition.get("condition") == "service_completed_successfully":
            setup += " " + runs_before_web(dependency)
    assert re.search(r"manage\.py migrate\b.*&&.*manage\.py load_reference_data\b", setup), setup


def test_web_worker_postgres_and_redis_have_health_checks():
    for name in (*APP_SERVICES, *BACKING_SERVICES):
        assert SERVICES[name].get("healthcheck", {}).get("test"), f"{name} has no health check"
    assert "pg_isready" in _as_text(SERVICES["postgres"]["healthcheck"]["test"])
    assert "redis-cli ping" in _as_text(SERVICES["redis"]["healthcheck"]["test"])
    # $$ in compose is a literal $, so the container's shell (not compose) expands the worker's host name.
    for name in WORKER_SERVICES:
        worker_check = _as_text(SERVICES[name]["healthcheck"]["test"])
        assert re.search(r"celery -A spm inspect ping -d celery@\$\$HOSTNAME\b", worker_check), worker_check


def test_web_health_check_url_exists_and_its_host_is_allowed():
    check = _as_text(SERVICES["web"]["healthcheck"]["test"])
    match = re.search(r"https?://([^/:'\"]+)(?::(\d+))?(/[^'\"\s]*)", check)
    assert match, check
    host, port, path = match.groups()
    try:
        match = resolve(path)
    except Resolver404:
        pytest.fail(f"the web health check calls {path}, which no URL pattern serves")
    assert match.url_name == "health-ready", f"the web health check must call the readiness page, not {path}"
    assert port == "8000"
    allowed = config.parse_list(_env_example()["ALLOWED_HOSTS"], [])
    assert validate_host(host, allowed), f"ALLOWED_HOSTS in .env.example refuses the health check's host {host}"


def test_web_and_worker_wait_for_healthy_postgres_and_redis():
    for name in APP_SERVICES:
        depends_on = SERVICES[name].get("depends_on", {})
        for backing in BACKING_SERVICES:
            assert depends_on.get(backing, {}).get("condition") == "service_healthy", f"{name} → {backing}"


def test_waiting_for_healthy_only_names_services_with_a_health_check():
    for name, service in SERVICES.items():
        for dependency, condition in service.get("depends_on", {}).items():
            assert dependency in SERVICES, f"{name} depends on unknown service {dependency}"
            if condition.get("condition") == "service_healthy":
                assert "healthcheck" in SERVICES[dependency], f"{name} waits for {dependency}, which has no check"


def test_uploads_volume_is_shared_by_web_and_workers():
    media = str(PurePosixPath(_env_example()["MEDIA_ROOT"]))
    for name in APP_SERVICES:
        mounts = {str(v).split(":")[1] for v in SERVICES[name].get("volumes", []) if str(v).startswith("media:")}
        assert media in mounts, f"{name} does not mount the media volume at MEDIA_ROOT"
    assert "media" in COMPOSE["volumes"]


def _compose_default(value: object) -> str:
    """``${NAME:-default}`` → ``default``; anything else as text."""
    match = re.fullmatch(r"\$\{[A-Z_]+:-([^}]*)\}", str(value))
    return match.group(1) if match else str(value)


def _worker_queues() -> dict[str, set[str]]:
    queues = {}
    for name in WORKER_SERVICES:
        match = re.search(r"(?:-Q|--queues)[ =](\S+)", _as_text(SERVICES[name]["command"]))
        assert match, f"{name} names no queue (-Q): it would consume every queue"
        queues[name] = set(match.group(1).split(","))
    return queues


def test_every_declared_queue_has_a_worker_and_imports_have_their_own():
    declared = {queue.name for queue in settings.CELERY_TASK_QUEUES}
    by_worker = _worker_queues()
    consumed = set().union(*by_worker.values())
    assert consumed == declared, f"queues without a worker: {declared - consumed}; unknown: {consumed - declared}"
    (imports_worker,) = [name for name, queues in by_worker.items() if "imports" in queues]
    assert by_worker[imports_worker] == {"imports"}, "a long import must never hold up other work"
    assert not {"achievements", "notifications"} & by_worker[imports_worker]


def test_web_runs_several_replicas_behind_the_proxy_which_hides_metrics():
    web = SERVICES["web"]
    assert int(_compose_default(web["deploy"]["replicas"])) >= 2
    assert not web.get("ports"), "replicas cannot share a published port; the proxy publishes it"
    assert [str(p) for p in SERVICES["proxy"]["ports"]] == ["8000:8000"]
    (mount,) = [v for v in SERVICES["proxy"]["volumes"] if "nginx" in v]
    nginx = (ROOT / mount.split(":")[0]).read_text(encoding="utf-8")
    assert re.search(r"server\s+web:8000\b", nginx)
    assert re.search(r"location\s*=\s*/metrics\s*\{\s*return\s+404;", nginx)
    assert "X-Request-ID" in nginx


def test_web_and_workers_keep_multiprocess_metrics_in_a_tmpfs_and_log_json():
    for name in APP_SERVICES:
        service = SERVICES[name]
        folder = service["environment"]["PROMETHEUS_MULTIPROC_DIR"]
        assert folder in service.get("tmpfs", []), f"{name}: stale metric files would survive a restart"
        assert _compose_default(service["environment"]["LOG_FORMAT"]) == "json"
    assert "-c python:spm.gunicorn_conf" in _as_text(SERVICES["web"]["command"])
    gunicorn_conf = importlib.import_module("spm.gunicorn_conf")
    assert gunicorn_conf.logconfig_dict["handlers"]["console"]["filters"] == ["request_id", "mask_nik"]
    assert callable(gunicorn_conf.child_exit) and callable(gunicorn_conf.on_starting)


def test_backup_service_runs_the_ops_scripts_with_the_media_volume():
    backup = SERVICES["backup"]
    assert backup["image"].split(":")[0] == SERVICES["postgres"]["image"].split(":")[0] == "postgres"
    assert backup["image"] == SERVICES["postgres"]["image"], "pg_dump must match the server's version"
    assert "ops" in backup.get("profiles", []), "backups run on demand, not with `up`"
    mounts = {v.split(":")[1]: v.split(":")[0] for v in backup["volumes"]}
    assert mounts["/ops"] == "./ops" and mounts[backup["environment"]["MEDIA_ROOT"]] == "media"
    for script in ("backup.sh", "restore.sh"):
        assert (ROOT / "ops" / script).stat().st_mode & 0o111, f"ops/{script} is not executable"
    assert _as_text(backup["command"]).startswith("/ops/backup.sh")
    # Archives hold personal data: never in git, never in the image's build context.
    assert "/backups/" in (ROOT / ".gitignore").read_text(encoding="utf-8").split()
    assert "backups" in (ROOT / ".dockerignore").read_text(encoding="utf-8").split()


# --- .env.example ------------------------------------------------------------------------------------------


def _settings_env_reads() -> set[str]:
    names: set[str] = set()
    for source in SETTINGS_SOURCES:
        text = source.read_text(encoding="utf-8")
        for pattern in ENV_READ_PATTERNS:
            names.update(pattern.findall(text))
    return names


def test_every_env_example_variable_is_read_by_the_settings_or_compose():
    compose_reads = set(re.findall(r"\$\{([A-Z][A-Z0-9_]*)", COMPOSE_TEXT))
    unread = set(_env_example()) - _settings_env_reads() - compose_reads
    assert not unread, f".env.example sets variables nothing reads: {sorted(unread)}"


def test_every_variable_the_settings_read_is_in_env_example():
    missing = _settings_env_reads() - set(_env_example())
    assert not missing, f"settings read variables .env.example does not document: {sorted(missing)}"


def test_env_example_keeps_debug_off_and_requires_a_secret_key():
    env = _env_example()
    assert config.parse_bool("DEBUG", env["DEBUG"], default=True) is False
    assert config.parse_bool("SECURE_COOKIES", env["SECURE_COOKIES"], default=False) is True
    assert env["SECRET_KEY"] == "", "SECRET_KEY must be left for the operator to set"
    assert "${SECRET_KEY:?" in COMPOSE_TEXT, "compose must refuse to start without SECRET_KEY"


def test_env_example_urls_reach_the_compose_services():
    env = _env_example()
    database = config.parse_database_url(env["DATABASE_URL"], ROOT / "unused.sqlite3")
    postgres_env = SERVICES["postgres"]["environment"]
    assert database["ENGINE"] == "django.db.backends.postgresql"
    assert (database["HOST"], database["PORT"]) == ("postgres", 5432)
    assert database["USER"] == postgres_env["POSTGRES_USER"]
    assert database["NAME"] == postgres_env["POSTGRES_DB"]
    assert database["PASSWORD"] == env["POSTGRES_PASSWORD"]
    assert config.parse_broker_url(env["CELERY_BROKER_URL"]).startswith("redis://redis:6379/")
    cache = config.parse_cache_url(env["CACHE_URL"])
    assert cache["BACKEND"] == "spm.cache.ResilientRedisCache" and cache["LOCATION"].startswith("redis://redis:6379/")
    assert cache["LOCATION"] != env["CELERY_BROKER_URL"]  # its own database: a flush of one spares the other


# --- Dockerfile ------------------------------------------------------------------------------------------


def test_dockerfile_copies_every_vendor_file_the_makefile_copies():
    missing = _makefile_vendor_copies() - _dockerfile_vendor_copies()
    assert not missing, f"the Dockerfile's node stage does not copy: {sorted(missing)}"
    node = DOCKERFILE.stage_from("node:")
    assert any("npm ci" in run for run in Dockerfile.args(node, "RUN"))
    vendor_out = f"{Dockerfile.workdir(node).rstrip('/')}/static/vendor"
    assert any(
        f"--from={node['name']}" in args and vendor_out in args and args.rstrip("/").endswith("static/vendor")
        for args in Dockerfile.args(DOCKERFILE.final, "COPY")
    ), "the runtime stage does not take static/vendor from the node stage"


def test_dockerfile_ships_the_source_maps_vendored_files_point_at():
    # Manifest storage (STATIC_MANIFEST=1) fails collectstatic when a referenced .map is missing.
    if not (ROOT / "node_modules").is_dir():
        pytest.skip("node_modules not installed (make vendor)")
    copied = {source for source, _target in _dockerfile_vendor_copies()}
    for source in copied:
        path = ROOT / source
        if path.is_file() and path.suffix in (".js", ".css"):
            for reference in re.findall(r"sourceMappingURL=([^\s*]+)", path.read_text(encoding="utf-8")):
                assert str(PurePosixPath(source).parent / reference) in copied, f"{source} needs {reference}"


def test_dockerfile_copies_every_project_app_and_runtime_folder():
    needed = {"manage.py"}
    for app in settings.INSTALLED_APPS:
        top = app.split(".")[0]
        if (ROOT / top).is_dir():
            needed.add(top)
    folders = [*settings.STATICFILES_DIRS, *settings.LOCALE_PATHS]
    folders += [d for template in settings.TEMPLATES for d in template["DIRS"]]
    needed.update(str(Path(f).relative_to(ROOT)) for f in folders if Path(f).is_dir())
    missing = needed - _final_stage_destinations()
    assert not missing, f"the image lacks: {sorted(missing)}"


def test_image_installs_runtime_requirements_only():
    runs = " ".join(Dockerfile.args(DOCKERFILE.final, "RUN"))
    assert re.search(r"pip install .*-r requirements\.txt", runs)
    assert "requirements-dev" not in runs
    pinned = (ROOT / "requirements.txt").read_text(encoding="utf-8").lower()
    for tool in ("gunicorn", "celery"):
        assert re.search(rf"^{tool}(\[[\w,]+\])?==", pinned, re.MULTILINE), f"{tool} is not a runtime requirement"


def test_image_collects_static_with_manifest_at_build_time():
    (run,) = [r for r in Dockerfile.args(DOCKERFILE.final, "RUN") if "collectstatic" in r]
    assert "STATIC_MANIFEST=1" in run and "--noinput" in run
    assert "SECRET_KEY=" in run
    assert not any("SECRET_KEY" in env for env in Dockerfile.args(DOCKERFILE.final, "ENV")), "no key in the image"


def test_image_runs_as_non_root_on_port_8000_serving_spm_wsgi():
    users = Dockerfile.args(DOCKERFILE.final, "USER")
    assert users and users[-1] not in ("root", "0")
    assert "8000" in Dockerfile.args(DOCKERFILE.final, "EXPOSE")
    assert "spm.wsgi:application" in DOCKERFILE.cmd()


def test_web_and_workers_share_a_private_bucket_created_before_they_start():
    env = _env_example()
    storage = config.parse_file_storage(
        env["STORAGE_BACKEND"],
        bucket=env["AWS_STORAGE_BUCKET_NAME"],
        endpoint_url=env["AWS_S3_ENDPOINT_URL"],
        region=env["AWS_S3_REGION_NAME"],
        access_key=env["AWS_ACCESS_KEY_ID"],
        secret_key=env["AWS_SECRET_ACCESS_KEY"],
    )
    assert storage["OPTIONS"]["endpoint_url"] == "http://minio:9000" and "minio" in SERVICES
    assert "healthcheck" in SERVICES["minio"] and not SERVICES["minio"].get("ports"), "only the app reaches it"
    for name in APP_SERVICES:
        depends_on = SERVICES[name].get("depends_on", {})
        assert depends_on.get("minio-init", {}).get("condition") == "service_completed_successfully", name
    init = _as_text(SERVICES["minio-init"]["command"])
    assert re.search(r"mc mb --ignore-existing \"espm/\$\$AWS_STORAGE_BUCKET_NAME\"", init)
    assert re.search(r"mc anonymous set none \"espm/\$\$AWS_STORAGE_BUCKET_NAME\"", init), "the bucket must be private"
    assert "minio-data" in COMPOSE["volumes"]
