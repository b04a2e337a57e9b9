"""'Mengapa video ini?': one short sentence per For You video, in the viewer's language."""

from kilas.feed.engine.ranking import Reason
from kilas.search.topics import BY_SLUG, topic_label
from kilas.videos.schemas import ReasonOut, VideoOut
from kilas.web.i18n import gettext


def explain(videos: list[VideoOut], reasons: dict[int, Reason]) -> list[VideoOut]:
    """Each presented For You video with its "Mengapa video ini?" line."""
    for video in videos:
        if reason := reasons.get(video.id):
            video.reason = ReasonOut(code=reason.code, text=reason_text(reason, creator=video.owner.username))
    return videos


def reason_text(reason: Reason, *, creator: str) -> str:
    detail = reason.detail
    match reason.code:
        case "series":
            return gettext("The next part of a series you follow")
        case "following":
            return gettext("From @{username}, whom you follow", username=creator)
        case "co_engagement":
            return gettext("People who finished what you watched also finished this")
        case "similar":
            return gettext("Like videos you watched to the end")
        case "topic" if detail in BY_SLUG:
            return gettext("Because you like {topic}", topic=topic_label(detail))
        case "topic" if detail.startswith("#"):
            return gettext("Because you like #{tag}", tag=detail[1:])
        case "trending" if detail:
            return gettext("Popular in {province} right now", province=detail)
        case "trending":
            return gettext("Popular on Kilas right now")
        case "explore":
            return gettext("A new video, shown to its first viewers")
    return gettext("Popular on Kilas")
