"""Where uploaded files live: a local folder (the embedded default) or an S3-compatible
bucket (AWS S3, MinIO, any S3 service), chosen by STORAGE_BACKEND.

With several web hosts behind a load balancer the files must be where every host can
read them: a bucket, or one folder every host mounts. Keys are the random hex names the
upload gave each file (evidence, appeal documents); nothing else is ever a key, so no
key can reach outside the folder or the bucket's prefix.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Protocol

from flask import current_app

SAFE_KEY = re.compile(r"[0-9a-f]{1,64}")


class Storage(Protocol):
    """Bytes by key. `read` raises FileNotFoundError for a key it does not hold."""

    description: str

    def write(self, key: str, data: bytes) -> None: ...
    def read(self, key: str) -> bytes: ...
    def delete(self, key: str) -> None: ...
    def names(self) -> Iterator[str]: ...  # every key held, in sorted order


def checked(key: str) -> str:
    if not SAFE_KEY.fullmatch(key or ""):
        raise FileNotFoundError(key)
    return key


class LocalStorage:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.description = f"the folder {root}"

    def _path(self, key: str) -> Path:
        return self.root / checked(key)

    def write(self, key: str, data: bytes) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        partial = self.root / f".{checked(key)}.partial"
        partial.write_bytes(data)
        partial.replace(self._path(key))  # a reader never sees half a file

    def read(self, key: str) -> bytes:
        return self._path(key).read_bytes()

    def delete(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)

    def names(self) -> Iterator[str]:
        if self.root.is_dir():
            yield from sorted(p.name for p in self.root.iterdir() if SAFE_KEY.fullmatch(p.name))


class S3Storage:
    def __init__(self, client, bucket: str, prefix: str) -> None:
        self.client, self.bucket, self.prefix = client, bucket, prefix
        self.description = f"the bucket s3://{bucket}/{prefix}"

    def _key(self, key: str) -> str:
        return self.prefix + checked(key)

    def write(self, key: str, data: bytes) -> None:
        self.client.put_object(Bucket=self.bucket, Key=self._key(key), Body=data)

    def read(self, key: str) -> bytes:
        try:
            answer = self.client.get_object(Bucket=self.bucket, Key=self._key(key))
        except self.client.exceptions.NoSuchKey as exc:
            raise FileNotFoundError(key) from exc
        return answer["Body"].read()

    def delete(self, key: str) -> None:
        self.client.delete_object(Bucket=self.bucket, Key=self._key(key))

    def names(self) -> Iterator[str]:
        pages = self.client.get_paginator("list_objects_v2").paginate(
            Bucket=self.bucket, Prefix=self.prefix
        )
        held = (item["Key"] for page in pages for item in page.get("Contents", []))
        names = (key.removeprefix(self.prefix) for key in held)
        yield from sorted(name for name in names if SAFE_KEY.fullmatch(name))


def make_storage(backend: str, config, instance_path: str) -> Storage:
    if backend == "s3":
        import boto3

        client = boto3.client(
            "s3",
            endpoint_url=config["STORAGE_S3_ENDPOINT_URL"] or None,
            region_name=config["STORAGE_S3_REGION"] or None,
            aws_access_key_id=config["STORAGE_S3_ACCESS_KEY"] or None,
            aws_secret_access_key=config["STORAGE_S3_SECRET_KEY"] or None,
        )
        return S3Storage(client, config["STORAGE_S3_BUCKET"], config["STORAGE_S3_PREFIX"])
    configured = config.get("EVIDENCE_DIRECTORY")
    return LocalStorage(Path(configured) if configured else Path(instance_path) / "evidence")


def file_storage() -> Storage:
    """The application's storage (STORAGE_BACKEND), made once."""
    app = current_app._get_current_object()
    storage = app.extensions.get("file_storage")
    if storage is None:
        storage = make_storage(app.config["STORAGE_BACKEND"], app.config, app.instance_path)
        app.extensions["file_storage"] = storage
    return storage
