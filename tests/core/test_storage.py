"""Uploaded files in a folder or in an S3 bucket (a local moto server), and moved between
them with every file checked."""

from __future__ import annotations

import hashlib
import io
import tarfile

import boto3
import pytest
from moto.server import ThreadedMotoServer
from sqlalchemy import select

from labelling.assessments.models import Evidence
from labelling.core.storage import LocalStorage, file_storage
from labelling.extensions import db
from tests.assessments.test_evidence import application, real_pdf, upload  # noqa: F401
from tests.mailserver import free_port

BUCKET = "labelling-evidence"


@pytest.fixture(scope="module")
def s3_settings():
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    settings = {
        "STORAGE_S3_BUCKET": BUCKET,
        "STORAGE_S3_ENDPOINT_URL": f"http://127.0.0.1:{port}",
        "STORAGE_S3_REGION": "eu-west-1",
        "STORAGE_S3_ACCESS_KEY": "testing",
        "STORAGE_S3_SECRET_KEY": "testing",
    }
    yield settings
    server.stop()


@pytest.fixture
def bucket(s3_settings):
    client = boto3.client(
        "s3",
        endpoint_url=s3_settings["STORAGE_S3_ENDPOINT_URL"],
        region_name="eu-west-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    client.create_bucket(
        Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": "eu-west-1"}
    )
    yield client
    for item in client.list_objects_v2(Bucket=BUCKET).get("Contents", []):
        client.delete_object(Bucket=BUCKET, Key=item["Key"])
    client.delete_bucket(Bucket=BUCKET)


def objects(client) -> dict[str, bytes]:
    listing = client.list_objects_v2(Bucket=BUCKET).get("Contents", [])
    return {
        item["Key"]: client.get_object(Bucket=BUCKET, Key=item["Key"])["Body"].read()
        for item in listing
    }


class TestInABucket:
    @pytest.fixture
    def app_config(self, app_config, s3_settings, bucket):
        return {**app_config, **s3_settings, "STORAGE_BACKEND": "s3"}

    def test_evidence_goes_to_the_bucket_and_back(self, app, client, application, bucket):  # noqa: F811
        content = real_pdf()
        assert upload(client, application, content, "strategy.pdf").status_code == 303
        item = db.session.scalars(select(Evidence)).one()
        assert objects(bucket) == {f"evidence/{item.stored_name}": content}
        download = client.get(f"/applications/{application.id}/evidence/{item.id}")
        assert download.status_code == 200 and download.data == content
        client.post(f"/applications/{application.id}/evidence/{item.id}/delete")
        assert objects(bucket) == {}

    def test_the_export_reads_the_bucket(self, app, client, application, tmp_path):  # noqa: F811
        content = real_pdf()
        upload(client, application, content, "strategy.pdf")
        item = db.session.scalars(select(Evidence)).one()
        result = app.test_cli_runner().invoke(args=["export", str(tmp_path / "a.tar")])
        assert result.exit_code == 0, result.output
        with tarfile.open(tmp_path / "a.tar") as archive:
            member = archive.extractfile(f"files/evidence/{item.stored_name}")
            assert member.read() == content


class TestMovingFiles:
    @pytest.fixture
    def app_config(self, app_config, s3_settings, bucket):
        return {**app_config, **s3_settings}  # the files are in the folder for now

    def test_every_file_moves_to_the_bucket_checked(self, app, client, application, bucket):  # noqa: F811
        contents = [real_pdf(), real_pdf() + b"\n% another"]
        for n, content in enumerate(contents):
            upload(client, application, content, f"file{n}.pdf")
        result = app.test_cli_runner().invoke(args=["move-files", "--from", "local", "--to", "s3"])
        assert result.exit_code == 0, result.output
        assert result.output.splitlines()[-1].startswith("Copied 2 files, ")
        assert "each read back with its SHA-256" in result.output
        assert sorted(objects(bucket).values()) == sorted(contents)
        # Switched over, the application serves them from the bucket.
        app.config["STORAGE_BACKEND"] = "s3"
        app.extensions.pop("file_storage")
        for item in db.session.scalars(select(Evidence)):
            response = client.get(f"/applications/{application.id}/evidence/{item.id}")
            assert hashlib.sha256(response.data).hexdigest() == item.sha256

    def test_a_file_that_changed_since_its_upload_is_named(self, app, client, application):  # noqa: F811
        upload(client, application, real_pdf(), "a.pdf")
        item = db.session.scalars(select(Evidence)).one()
        file_storage().write(item.stored_name, b"%PDF-1.7 something else")
        result = app.test_cli_runner().invoke(args=["move-files", "--from", "local", "--to", "s3"])
        assert result.exit_code == 1
        assert item.stored_name in result.output and "untouched" in result.output


def test_a_key_is_only_ever_one_of_our_names(tmp_path):
    storage = LocalStorage(tmp_path / "evidence")
    storage.write("ab12", b"x")
    assert storage.read("ab12") == b"x" and list(storage.names()) == ["ab12"]
    for key in ("../secret_key", "/etc/passwd", "AB12", ""):
        with pytest.raises(FileNotFoundError):
            storage.read(key)
    with pytest.raises(FileNotFoundError):
        storage.write("../escape", b"x")
    assert not (tmp_path / "escape").exists()
    assert io.BytesIO(storage.read("ab12")).read() == b"x"
