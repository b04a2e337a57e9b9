"""Media in an S3-compatible bucket (AWS S3, MinIO, Ceph, R2, ...), configured by
`KILAS_STORAGE_URL=s3://bucket/prefix` and the `KILAS_S3_*` settings.

The bucket stays private: objects are written without ACLs, and browsers get either a presigned GET
URL, valid a few minutes and handed out only after the viewer was authorised, or, for public files
when a CDN fronts the bucket, the CDN URL.
"""

import re
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, urlsplit

import boto3
from boto3.s3.transfer import TransferConfig
from botocore.config import Config
from botocore.exceptions import ClientError

from kilas.storage import check_key, content_type

if TYPE_CHECKING:
    from kilas.settings import Settings

MB = 1024 * 1024
MULTIPART_THRESHOLD = 8 * MB
MULTIPART_CHUNK = 8 * MB
# DeleteObjects takes at most 1000 keys, and ListObjectsV2 returns at most 1000 per page.
DELETE_BATCH = 1000
LIST_PAGE_SIZE = 1000
BUCKET_PATTERN = re.compile(r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")
PREFIX_PATTERN = re.compile(r"^[A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]+)*$")
MISSING = {"404", "NoSuchKey", "NotFound"}
_session: boto3.session.Session | None = None
_session_lock = threading.Lock()


class StorageError(RuntimeError):
    pass


@dataclass(frozen=True)
class S3Location:
    """Where objects live and the address browsers reach them at (the same for every object)."""

    bucket: str
    prefix: str
    endpoint_url: str
    addressing_style: str
    custom_endpoint: bool

    @classmethod
    def from_settings(cls, settings: "Settings") -> "S3Location":
        return cls.parse(
            settings.storage_url, endpoint_url=settings.s3_endpoint_url, region=settings.s3_region
        )

    @classmethod
    def parse(cls, url: str, *, endpoint_url: str = "", region: str = "us-east-1") -> "S3Location":
        parts = urlsplit(url)
        bucket, prefix = parts.netloc, parts.path.strip("/")
        if parts.scheme != "s3" or not BUCKET_PATTERN.match(bucket) or parts.query or parts.fragment:
            raise ValueError(f"unsupported storage url: {url}")
        if prefix and (not PREFIX_PATTERN.match(prefix) or ".." in prefix):
            raise ValueError(f"unsupported storage prefix: {prefix}")
        if endpoint_url:
            endpoint = urlsplit(endpoint_url)
            if endpoint.scheme not in ("http", "https") or not endpoint.netloc:
                raise ValueError(f"unsupported S3 endpoint: {endpoint_url}")
            # S3-compatible stores (MinIO, moto, ...) are addressed by path: one origin for every bucket.
            return cls(bucket, prefix, endpoint_url.rstrip("/"), "path", custom_endpoint=True)
        # AWS: the regional endpoint, spelled out so the origin browsers see is known in advance.
        # Bucket names with dots do not match the wildcard certificate, so those are addressed by path.
        style = "path" if "." in bucket else "virtual"
        return cls(bucket, prefix, f"https://s3.{region}.amazonaws.com", style, custom_endpoint=False)

    @property
    def origin(self) -> str:
        """The origin of every presigned URL (for the Content-Security-Policy)."""
        endpoint = urlsplit(self.endpoint_url)
        host = endpoint.netloc if self.addressing_style == "path" else f"{self.bucket}.{endpoint.netloc}"
        return f"{endpoint.scheme}://{host}"

    def object_key(self, key: str) -> str:
        check_key(key)
        return f"{self.prefix}/{key}" if self.prefix else key


class S3Storage:
    def __init__(
        self,
        location: S3Location,
        *,
        region: str = "us-east-1",
        access_key: str = "",
        secret_key: str = "",
        cdn_base_url: str = "",
        url_ttl_seconds: int = 300,
    ) -> None:
        self.location = location
        self.bucket = location.bucket
        self.cdn_base_url = cdn_base_url.rstrip("/")
        self.url_ttl_seconds = url_ttl_seconds
        options: dict[str, Any] = {
            "signature_version": "s3v4",
            "s3": {"addressing_style": location.addressing_style},
            "retries": {"max_attempts": 5, "mode": "standard"},
            "connect_timeout": 10,
            "read_timeout": 60,
        }
        if location.custom_endpoint:
            # Many S3-compatible stores reject the extra checksum headers newer SDKs send by default.
            options["request_checksum_calculation"] = "when_required"
            options["response_checksum_validation"] = "when_required"
        self.client: Any = _make_client(
            "s3",
            endpoint_url=location.endpoint_url,
            region_name=region,
            aws_access_key_id=access_key or None,
            aws_secret_access_key=secret_key or None,
            config=Config(**options),
        )
        self.transfer = TransferConfig(
            multipart_threshold=MULTIPART_THRESHOLD, multipart_chunksize=MULTIPART_CHUNK, max_concurrency=4
        )

    @classmethod
    def from_settings(cls, settings: "Settings") -> "S3Storage":
        return cls(
            S3Location.from_settings(settings),
            region=settings.s3_region,
            access_key=settings.s3_access_key,
            secret_key=settings.s3_secret_key.get_secret_value(),
            cdn_base_url=settings.media_cdn_base_url,
            url_ttl_seconds=settings.media_url_ttl_seconds,
        )

    def put_file(self, key: str, source: Path) -> int:
        """Upload `source`; files above MULTIPART_THRESHOLD go up in parts (retried one by one)."""
        object_key = self.location.object_key(key)
        size = source.stat().st_size
        self.client.upload_file(
            str(source),
            self.bucket,
            object_key,
            ExtraArgs={"ContentType": content_type(key)},
            Config=self.transfer,
        )
        return size

    def put_bytes(self, key: str, data: bytes) -> int:
        self.client.put_object(
            Bucket=self.bucket, Key=self.location.object_key(key), Body=data, ContentType=content_type(key)
        )
        return len(data)

    def local_path(self, key: str) -> Path | None:
        check_key(key)
        return None

    def fetch_to(self, key: str, destination: Path) -> None:
        # download_file writes to a temporary name and renames it when complete.
        try:
            self.client.download_file(
                self.bucket, self.location.object_key(key), str(destination), Config=self.transfer
            )
        except ClientError as error:
            if _error_code(error) in MISSING:
                raise FileNotFoundError(key) from error
            raise

    def exists(self, key: str) -> bool:
        try:
            self.client.head_object(Bucket=self.bucket, Key=self.location.object_key(key))
        except ClientError as error:
            if _error_code(error) in MISSING:
                return False
            raise
        return True

    def delete_prefix(self, prefix: str) -> None:
        """Delete every object under `prefix/` (a folder: `videos/abc` never touches `videos/abcd`)."""
        folder = check_key(prefix.rstrip("/") + "/x").rsplit("/", 1)[0]
        paginator = self.client.get_paginator("list_objects_v2")
        pages = paginator.paginate(
            Bucket=self.bucket,
            Prefix=self.location.object_key(folder) + "/",
            PaginationConfig={"PageSize": LIST_PAGE_SIZE},
        )
        batch: list[dict[str, str]] = []
        for page in pages:
            for item in page.get("Contents", []):
                batch.append({"Key": item["Key"]})
                if len(batch) >= DELETE_BATCH:
                    self._delete(batch)
                    batch = []
        if batch:
            self._delete(batch)

    def keys(self, prefix: str = "") -> list[str]:
        root = f"{self.location.prefix}/" if self.location.prefix else ""
        found: list[str] = []
        pages = self.client.get_paginator("list_objects_v2").paginate(
            Bucket=self.bucket, Prefix=root + prefix
        )
        for page in pages:
            found.extend(item["Key"][len(root) :] for item in page.get("Contents", []))
        return sorted(found)

    def _delete(self, batch: list[dict[str, str]]) -> None:
        response = self.client.delete_objects(Bucket=self.bucket, Delete={"Objects": batch, "Quiet": True})
        if errors := response.get("Errors"):
            first = errors[0]
            raise StorageError(
                f"could not delete {len(errors)} objects, e.g. {first.get('Key')}: {first.get('Code')}"
            )

    def cdn_url(self, key: str) -> str | None:
        if not self.cdn_base_url:
            return None
        return f"{self.cdn_base_url}/{quote(self.location.object_key(key))}"

    def public_url(self, key: str, *, public: bool) -> str | None:
        object_key = self.location.object_key(key)
        if public and self.cdn_base_url:
            return f"{self.cdn_base_url}/{quote(object_key)}"
        url: str = self.client.generate_presigned_url(
            "get_object",
            Params={
                "Bucket": self.bucket,
                "Key": object_key,
                # The URL is a short-lived bearer token: no shared cache may keep the answer.
                "ResponseCacheControl": f"private, max-age={self.url_ttl_seconds}",
            },
            ExpiresIn=self.url_ttl_seconds,
        )
        return url


def _make_client(service: str, **options: Any) -> Any:
    """A new client from one shared session, which loads the service description once per process
    (a job makes its own storage). Clients are thread-safe; sessions are not, hence the lock."""
    global _session
    with _session_lock:
        if _session is None:
            _session = boto3.session.Session()
        return _session.client(service, **options)


def _error_code(error: ClientError) -> str:
    return str(error.response.get("Error", {}).get("Code", ""))
