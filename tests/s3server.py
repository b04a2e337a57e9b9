"""An S3-compatible server for the tests: moto's, in a thread of this test process.

One server per test session (per xdist worker) on a free port of 127.0.0.1; every test gets a fresh
bucket, so tests never see each other's objects.
"""

import uuid
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.config import Config
from moto.server import ThreadedMotoServer
from pydantic import SecretStr

S3_ACCESS_KEY = "kilas-test"
S3_SECRET_KEY = "kilas-test-secret"
S3_REGION = "us-east-1"
S3_PREFIX = "media"


@pytest.fixture(scope="session")
def moto_endpoint() -> Iterator[str]:
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture(scope="session")
def s3(moto_endpoint: str) -> Any:
    """A plain boto3 client on the test server, to look at the bucket from outside Kilas."""
    return boto3.session.Session().client(
        "s3",
        endpoint_url=moto_endpoint,
        region_name=S3_REGION,
        aws_access_key_id=S3_ACCESS_KEY,
        aws_secret_access_key=S3_SECRET_KEY,
        config=Config(s3={"addressing_style": "path"}),
    )


@pytest.fixture
def s3_bucket(s3: Any) -> str:
    name = f"kilas-test-{uuid.uuid4().hex[:16]}"
    s3.create_bucket(Bucket=name)
    return name


@pytest.fixture
def s3_settings_overrides(moto_endpoint: str, s3_bucket: str) -> dict[str, object]:
    """Settings fields that point Kilas at a fresh bucket (objects under `media/`) on the test server."""
    return {
        "storage_url": f"s3://{s3_bucket}/{S3_PREFIX}",
        "s3_endpoint_url": moto_endpoint,
        "s3_region": S3_REGION,
        "s3_access_key": S3_ACCESS_KEY,
        "s3_secret_key": SecretStr(S3_SECRET_KEY),
    }


def object_keys(s3: Any, bucket: str, prefix: str = "") -> set[str]:
    keys: set[str] = set()
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
        keys.update(item["Key"] for item in page.get("Contents", []))
    return keys
