"""An S3-compatible object store for the tests: moto's server mode on loopback (a real HTTP server in a
thread), so the code under test talks to it exactly as to MinIO, through django-storages and boto3.

Other processes (the gunicorn and Celery processes of the two-process test) reach it over the same address.
"""

from __future__ import annotations

import logging
import socket
import uuid
from dataclasses import dataclass

import boto3
import httpx
from moto.server import ThreadedMotoServer

from spm import config

# Any values do: moto checks signatures' shape, not the key. Never real credentials.
ACCESS_KEY = "uji-kunci"
SECRET_KEY = "uji-rahasia-bukan-kunci-asli"
REGION = "us-east-1"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class Bucket:
    """One bucket on the test server, with what the tests ask of it."""

    endpoint: str
    name: str

    @property
    def client(self):
        return boto3.client(
            "s3",
            endpoint_url=self.endpoint,
            aws_access_key_id=ACCESS_KEY,
            aws_secret_access_key=SECRET_KEY,
            region_name=REGION,
        )

    def object_keys(self, prefix: str = "") -> list[str]:
        pages = self.client.get_paginator("list_objects_v2").paginate(Bucket=self.name, Prefix=prefix)
        return sorted(item["Key"] for page in pages for item in page.get("Contents", []))

    def read(self, key: str) -> bytes:
        return self.client.get_object(Bucket=self.name, Key=key)["Body"].read()

    def anonymous_get(self, key: str) -> httpx.Response:
        """A GET on the object's plain URL, without signature or credentials (what a leaked link gives)."""
        return httpx.get(f"{self.endpoint}/{self.name}/{key}", timeout=10)

    def storage_settings(self) -> dict:
        """``STORAGES['default']`` as the settings build it for STORAGE_BACKEND=s3 (spm.config)."""
        return config.parse_file_storage(
            "s3",
            bucket=self.name,
            endpoint_url=self.endpoint,
            region=REGION,
            access_key=ACCESS_KEY,
            secret_key=SECRET_KEY,
        )

    def environment(self) -> dict[str, str]:
        """The environment variables that point another process at this bucket."""
        return {
            "STORAGE_BACKEND": "s3",
            "AWS_STORAGE_BUCKET_NAME": self.name,
            "AWS_S3_ENDPOINT_URL": self.endpoint,
            "AWS_S3_REGION_NAME": REGION,
            "AWS_ACCESS_KEY_ID": ACCESS_KEY,
            "AWS_SECRET_ACCESS_KEY": SECRET_KEY,
        }


class MotoS3:
    """moto's S3 server on 127.0.0.1 and a free port."""

    def __init__(self) -> None:
        logging.getLogger("werkzeug").setLevel(logging.WARNING)  # one line per request otherwise
        self.port = free_port()
        self.endpoint = f"http://127.0.0.1:{self.port}"
        self._server = ThreadedMotoServer(ip_address="127.0.0.1", port=self.port, verbose=False)
        self._server.start()

    def new_bucket(self) -> Bucket:
        bucket = Bucket(self.endpoint, f"uji-{uuid.uuid4().hex[:12]}")
        bucket.client.create_bucket(Bucket=bucket.name)
        return bucket

    def stop(self) -> None:
        self._server.stop()
