"""The topic taxonomy: what a video teaches or shows, chosen by its creator at upload.

Slugs are stored on videos (`videos.topic`) and appear in URLs (`/topik/<slug>`); labels are English
source strings translated like every other message. `learning` topics make up the Belajar feed.
"""

from dataclasses import dataclass

from kilas.web.i18n import N_, gettext


@dataclass(frozen=True)
class Topic:
    slug: str
    label: str
    learning: bool


TOPICS: tuple[Topic, ...] = (
    Topic("sains", N_("Science"), True),
    Topic("matematika", N_("Mathematics"), True),
    Topic("bahasa", N_("Languages"), True),
    Topic("sejarah", N_("History"), True),
    Topic("kesehatan", N_("Health"), True),
    Topic("teknologi", N_("Technology"), True),
    Topic("keuangan", N_("Personal finance"), True),
    Topic("memasak", N_("Cooking"), True),
    Topic("bisnis", N_("Business & UMKM"), True),
    Topic("seni", N_("Arts & crafts"), True),
    Topic("olahraga", N_("Sports"), False),
    Topic("hiburan", N_("Entertainment"), False),
)
BY_SLUG = {topic.slug: topic for topic in TOPICS}
LEARNING_SLUGS = frozenset(topic.slug for topic in TOPICS if topic.learning)


def topic_label(slug: str | None) -> str:
    topic = BY_SLUG.get(slug or "")
    return gettext(topic.label) if topic else ""
