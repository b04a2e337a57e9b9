"""What the analytics API returns (and the Studio pages draw their charts from)."""

from datetime import date, datetime

from pydantic import BaseModel, Field

from kilas.enums import VideoStatus, Visibility


class Period(BaseModel):
    days: int = Field(description="7, 28 or 90 days, ending today (days are WIB calendar days)")
    first_day: date
    last_day: date
    updated_at: datetime | None = Field(description="Events up to about this moment are counted")


class Metrics(BaseModel):
    views: int = Field(description="Counted views (once per viewer per 30 minutes, after 1 s)")
    watch_ms: int
    watch_hours: float
    avg_watch_percent: float | None = Field(
        description="Watch time / (plays × video duration), in percent; null without plays"
    )
    completion_rate: float | None = Field(description="Completions / plays, in percent; null without plays")
    plays: int
    likes: int
    shares: int
    follows: int = Field(description="Follows made from a video")
    new_followers: int


class DayMetrics(Metrics):
    day: date
    unique_viewers: int


class HourViews(BaseModel):
    hour: datetime
    views: int
    plays: int


class Slice(BaseModel):
    key: str
    label: str
    views: int
    percent: float


class Audience(BaseModel):
    signed_in_views: int = Field(description="Views by signed-in viewers: the base of the shares below")
    age: list[Slice]
    gender: list[Slice] = Field(description="Shares among the views whose viewer gave their gender")
    province: list[Slice] = Field(description="Shares among the views whose viewer gave their province")


class VideoSummary(BaseModel):
    id: int
    caption: str
    url: str
    studio_url: str
    poster_url: str | None
    status: VideoStatus
    visibility: Visibility
    created_at: datetime
    duration_s: float | None
    lifetime_views: int
    period: Metrics


class CreatorAnalyticsOut(BaseModel):
    period: Period
    followers_count: int
    totals: Metrics
    previous: Metrics = Field(description="The same numbers for the period just before")
    daily: list[DayMetrics]
    hourly: list[HourViews] = Field(description="The last 48 hours")
    sources: list[Slice] = Field(description="Views by traffic source")
    audience: Audience
    videos: list[VideoSummary]


class RetentionPoint(BaseModel):
    second: int
    percent: float = Field(description="Share of the plays still watching at this second")


class VideoAnalyticsOut(BaseModel):
    period: Period
    video: VideoSummary
    totals: Metrics
    previous: Metrics
    daily: list[DayMetrics]
    sources: list[Slice]
    audience: Audience
    retention: list[RetentionPoint]
    retention_plays: int = Field(description="Plays the retention curve is drawn from")


class PlatformTotals(BaseModel):
    views: int
    watch_ms: int
    watch_hours: float
    uploads: int
    new_followers: int
    daily_active: int = Field(description="Distinct viewers with any event on the last day")
    monthly_active: int = Field(
        description="Distinct viewers with any event in the 30 days up to the last day"
    )


class DayCount(BaseModel):
    day: date
    count: int


class MonthViews(BaseModel):
    month: str = Field(description="YYYY-MM")
    views: int


class ActivePoint(BaseModel):
    day: date
    daily: int
    monthly: int


class CreatorRank(BaseModel):
    username: str
    display_name: str
    url: str
    province: str | None
    views: int
    watch_ms: int
    watch_hours: float
    new_followers: int
    uploads: int


class HashtagRank(BaseModel):
    name: str
    display: str
    url: str
    views: int
    previous_views: int
    growth: int
    growth_percent: float | None = Field(description="Null when the hashtag had no views before")


class ProvinceRow(BaseModel):
    province: str
    views: int
    active_per_day: float = Field(description="Average distinct active viewers a day")
    uploads: int


class PlatformAnalyticsOut(BaseModel):
    period: Period
    totals: PlatformTotals
    previous: PlatformTotals
    uploads: list[DayCount]
    views_by_month: list[MonthViews] = Field(description="The last 12 months")
    active: list[ActivePoint]
    top_creators: list[CreatorRank]
    top_hashtags: list[HashtagRank]
    rising_hashtags: list[HashtagRank]
    provinces: list[ProvinceRow]
