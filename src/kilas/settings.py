"""The one settings object. Nothing else in Kilas reads the environment."""

from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

MB = 1024 * 1024


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="KILAS_", env_file=".env", extra="ignore")

    data_dir: Path = Path("var")
    database_url: str = ""
    redis_url: str = ""
    storage_url: str = ""
    # S3-compatible object storage (with `storage_url = "s3://bucket/prefix"`). An empty endpoint means
    # AWS S3 in `s3_region`; empty keys fall back to boto3's usual credential chain.
    s3_endpoint_url: str = ""
    s3_region: str = "us-east-1"
    s3_access_key: str = ""
    s3_secret_key: SecretStr = SecretStr("")
    # A CDN in front of the bucket, used for public videos and avatars only; everything else is served
    # through presigned URLs that live `media_url_ttl_seconds`.
    media_cdn_base_url: str = ""
    media_url_ttl_seconds: int = Field(default=300, ge=1, le=7 * 24 * 3600)
    ffmpeg: str = ""
    secret_key: SecretStr = SecretStr("")
    base_url: str = "http://127.0.0.1:8000"

    max_upload_bytes: int = 500 * MB
    max_video_seconds: float = 600.0
    upload_chunk_bytes: int = 8 * MB
    transcode_preset: str = "veryfast"
    transcode_threads: int = 2
    job_workers: int = 2
    # "huey" runs jobs on the queue (consumer threads or `kilas worker`); "inline" runs them right
    # after the request commits, in the same process (tests).
    jobs_mode: str = "huey"
    # A transcode renews its lease on the video this often; a lease older than `job_stale_seconds`
    # means its worker died, and the watchdog of any live worker queues the video again.
    job_heartbeat_seconds: float = 10.0
    job_stale_seconds: float = 60.0
    run_consumer_in_web: bool = True
    # On SIGTERM a web node stops accepting connections and gives in-flight requests this long to
    # finish; a worker lets its running jobs finish for up to `worker_shutdown_timeout_seconds` (a job
    # cut off after that is recovered through its lease, like one whose worker died).
    web_shutdown_timeout_seconds: int = Field(default=30, ge=0)
    worker_shutdown_timeout_seconds: float = Field(default=300.0, ge=0)
    # `kilas worker` serves its Prometheus metrics on this port (0: off). Web nodes use `/metrics`.
    worker_metrics_port: int = Field(default=0, ge=0, le=65535)
    # How long each readiness check (database, Redis, storage) may take before it counts as failed.
    health_check_timeout_seconds: float = Field(default=2.0, gt=0)

    session_days: int = 30
    signup_rate: str = "10/hour"
    login_rate: str = "20/15minute"
    write_rate: str = "120/minute"
    upload_rate: str = "30/hour"
    view_window_minutes: int = 30
    # This process stores and counts the engagement events in the inbox (web nodes and workers alike;
    # any number may run).
    process_events: bool = True
    # "background": the processor stores acknowledged events a moment later; "inline": each request
    # waits until its events are stored and counted (tests).
    events_mode: Literal["background", "inline"] = "background"
    events_rate: str = "600/minute"
    max_views_per_minute: int = 30
    default_locale: str = "id"
    # One log line per HTTP request (uvicorn's access log). Off by default: at event-ingest rates it
    # costs more than the work; the load balancer or /metrics usually tells the same.
    access_log: bool = False

    demo_videos: int = Field(default=40, ge=0)

    @property
    def resolved_database_url(self) -> str:
        return self.database_url or f"sqlite+aiosqlite:///{self.data_dir / 'kilas.db'}"

    @property
    def media_dir(self) -> Path:
        return self.data_dir / "media"

    @property
    def upload_dir(self) -> Path:
        return self.data_dir / "uploads"

    @property
    def secure_cookies(self) -> bool:
        return self.base_url.startswith("https://")

    def secret(self) -> str:
        """The signing secret; on a laptop without one, a random one is made once and kept in the data dir."""
        if value := self.secret_key.get_secret_value():
            return value
        path = self.data_dir / "secret_key"
        if not path.exists():
            import secrets

            self.data_dir.mkdir(parents=True, exist_ok=True)
            path.write_text(secrets.token_urlsafe(48))
            path.chmod(0o600)
        return path.read_text().strip()
