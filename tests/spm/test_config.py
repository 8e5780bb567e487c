"""Settings read from the environment fail loudly on bad values."""

import pytest
from django.core.exceptions import ImproperlyConfigured

from spm import config


@pytest.mark.parametrize("raw,expected", [("1", True), ("true", True), ("Yes", True), ("0", False), ("off", False)])
def test_booleans_accept_the_usual_spellings(raw, expected):
    assert config.parse_bool("DEBUG", raw, default=False) is expected


def test_boolean_typo_is_refused():
    with pytest.raises(ImproperlyConfigured, match="DEBUG"):
        config.parse_bool("DEBUG", "ya-dong", default=False)


def test_missing_boolean_takes_the_default():
    assert config.parse_bool("DEBUG", None, default=False) is False


def test_database_defaults_to_sqlite_in_the_project(tmp_path):
    db = config.parse_database_url(None, tmp_path / "db.sqlite3")
    assert db == {"ENGINE": "django.db.backends.sqlite3", "NAME": str(tmp_path / "db.sqlite3")}


def test_postgres_url_is_parsed(tmp_path):
    db = config.parse_database_url("postgres://postgres@127.0.0.1:5432/test", tmp_path / "x")
    assert db["ENGINE"] == "django.db.backends.postgresql"
    assert (db["NAME"], db["HOST"], db["PORT"], db["USER"]) == ("test", "127.0.0.1", 5432, "postgres")


@pytest.mark.parametrize("url", ["mysql://root@localhost/x", "nonsense", "postgres://localhost:5432/"])
def test_unsupported_or_malformed_database_url_is_refused(url, tmp_path):
    with pytest.raises(ImproperlyConfigured):
        config.parse_database_url(url, tmp_path / "x")


def test_broker_url_must_be_redis_or_amqp():
    assert config.parse_broker_url(None) == ""
    assert config.parse_broker_url("redis://127.0.0.1:6379/0") == "redis://127.0.0.1:6379/0"
    with pytest.raises(ImproperlyConfigured):
        config.parse_broker_url("http://127.0.0.1:6379")


def test_secret_key_is_generated_once_into_a_local_file(tmp_path):
    key_file = tmp_path / ".secret_key"
    first = config.load_secret_key(None, key_file)
    assert len(first) >= 50 and key_file.exists()
    assert oct(key_file.stat().st_mode)[-3:] == "600"
    assert config.load_secret_key(None, key_file) == first
    assert config.load_secret_key("x" * 40, key_file) == "x" * 40


def test_short_secret_key_is_refused(tmp_path):
    with pytest.raises(ImproperlyConfigured):
        config.load_secret_key("pendek", tmp_path / ".secret_key")


def test_secret_key_file_is_not_tracked_by_git():
    from pathlib import Path

    ignored = (Path(__file__).resolve().parents[2] / ".gitignore").read_text().splitlines()
    assert "/.secret_key" in ignored


def test_defaults_are_jakarta_time_and_indonesian(settings):
    assert settings.TIME_ZONE == "Asia/Jakarta"
    assert settings.LANGUAGE_CODE == "id"
    assert "en" in dict(settings.LANGUAGES)


def test_whole_numbers_are_read_strictly():
    assert config.parse_int("LOGIN_FAILURE_LIMIT", None, default=10, minimum=1) == 10
    assert config.parse_int("LOGIN_FAILURE_LIMIT", " 5 ", default=10, minimum=1) == 5
    for bad in ("sepuluh", "0", "-3", "2.5"):
        with pytest.raises(ImproperlyConfigured):
            config.parse_int("LOGIN_FAILURE_LIMIT", bad, default=10, minimum=1)


def test_api_throttle_rates_are_read_strictly():
    assert config.parse_throttle_rate("API_THROTTLE_USER", None, "600/minute") == "600/minute"
    assert config.parse_throttle_rate("API_THROTTLE_USER", "2000/hour", "600/minute") == "2000/hour"
    for bad in ("banyak", "60", "0/minute", "60/week", "/minute"):
        with pytest.raises(ImproperlyConfigured):
            config.parse_throttle_rate("API_THROTTLE_USER", bad, "600/minute")


# --- file storage (issue 15: stateless web tier) -----------------------------------------------------------

S3_ENV = {
    "bucket": "espm",
    "endpoint_url": "http://minio:9000",
    "region": "us-east-1",
    "access_key": "espm-app",
    "secret_key": "rahasia-sekali",
}


@pytest.mark.parametrize("raw", [None, "", "local", "LOCAL"])
def test_files_stay_on_the_local_filesystem_by_default(raw):
    storage = config.parse_file_storage(raw, **dict.fromkeys(S3_ENV))
    assert storage == {"BACKEND": "django.core.files.storage.FileSystemStorage"}


def test_s3_storage_keeps_the_bucket_private_and_never_overwrites():
    storage = config.parse_file_storage("s3", **S3_ENV)
    options = storage["OPTIONS"]
    assert storage["BACKEND"] == "storages.backends.s3.S3Storage"
    assert (options["bucket_name"], options["endpoint_url"], options["addressing_style"]) == (
        "espm",
        "http://minio:9000",
        "path",
    )
    assert options["default_acl"] is None and options["querystring_auth"] is True
    assert 0 < options["querystring_expire"] <= 600
    assert options["file_overwrite"] is False


@pytest.mark.parametrize(
    "backend,overrides,message",
    [
        ("ftp", {}, "STORAGE_BACKEND"),
        ("s3", {"bucket": ""}, "AWS_STORAGE_BUCKET_NAME"),
        ("s3", {"endpoint_url": "minio:9000"}, "AWS_S3_ENDPOINT_URL"),
        ("s3", {"secret_key": ""}, "AWS_SECRET_ACCESS_KEY"),
    ],
)
def test_bad_storage_settings_are_refused(backend, overrides, message):
    with pytest.raises(ImproperlyConfigured, match=message):
        config.parse_file_storage(backend, **{**S3_ENV, **overrides})


def test_cache_is_per_process_by_default_and_shared_redis_when_configured():
    assert config.parse_cache_url("")["BACKEND"].endswith("LocMemCache")
    shared = config.parse_cache_url("redis://redis:6379/1")
    assert shared["BACKEND"] == "spm.cache.ResilientRedisCache"
    assert shared["LOCATION"] == "redis://redis:6379/1"


def test_cache_url_must_be_redis():
    with pytest.raises(ImproperlyConfigured, match="CACHE_URL"):
        config.parse_cache_url("memcached://cache:11211")
