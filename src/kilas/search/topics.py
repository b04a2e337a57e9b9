"""The topic taxonomy: what a video teaches or shows, chosen by its creator at upload.

Slugs are stored on videos (`videos.topic`) and appear in URLs (`/topik/<slug>`); labels are English
source strings translated like every other message. `learning` topics make up the Belajar feed.
"""

from dataclasses import dataclass
from typing import TYPE_CHECKING

from kilas.web.i18n import N_, gettext

if TYPE_CHECKING:
    from kilas.search.schemas import TopicOut


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


# Roots (as `kilas.search.text.stem` gives them) that point to a topic when they appear in a caption.
TOPIC_KEYWORDS: dict[str, tuple[str, ...]] = {
    "sains": (
        "sains",
        "fisika",
        "kimia",
        "biologi",
        "ilmiah",
        "eksperimen",
        "percobaan",
        "atom",
        "sel",
        "planet",
        "astronomi",
        "energi",
        "gaya",
        "listrik",
        "science",
    ),
    "matematika": (
        "matematika",
        "hitung",
        "rumus",
        "aljabar",
        "geometri",
        "pecah",
        "kali",
        "bagi",
        "persen",
        "statistika",
        "angka",
        "soal",
        "mtk",
        "kalkulus",
        "math",
    ),
    "bahasa": (
        "bahasa",
        "inggris",
        "english",
        "grammar",
        "kosakata",
        "vocabulary",
        "kata",
        "kalimat",
        "jepang",
        "arab",
        "mandarin",
        "korea",
        "ucap",
        "tata",
        "toefl",
        "ielts",
    ),
    "sejarah": (
        "sejarah",
        "pahlawan",
        "kerajaan",
        "merdeka",
        "proklamasi",
        "zaman",
        "kuno",
        "candi",
        "majapahit",
        "sriwijaya",
        "perang",
        "kolonial",
        "history",
    ),
    "kesehatan": (
        "sehat",
        "kesehatan",
        "gizi",
        "dokter",
        "penyakit",
        "olahraga",
        "diet",
        "vitamin",
        "tidur",
        "mental",
        "jantung",
        "obat",
        "imun",
        "stunting",
        "health",
    ),
    "teknologi": (
        "teknologi",
        "coding",
        "program",
        "python",
        "javascript",
        "komputer",
        "excel",
        "aplikasi",
        "android",
        "website",
        "data",
        "ai",
        "laptop",
        "software",
        "internet",
        "tech",
    ),
    "keuangan": (
        "uang",
        "keuangan",
        "tabung",
        "investasi",
        "saham",
        "reksadana",
        "utang",
        "gaji",
        "anggar",
        "pajak",
        "asuransi",
        "emas",
        "pensiun",
        "finansial",
    ),
    "memasak": (
        "masak",
        "resep",
        "masakan",
        "dapur",
        "kue",
        "goreng",
        "rebus",
        "bumbu",
        "sambal",
        "nasi",
        "rendang",
        "soto",
        "sayur",
        "makan",
        "kuliner",
    ),
    "bisnis": (
        "bisnis",
        "umkm",
        "usaha",
        "jual",
        "dagang",
        "pasar",
        "marketing",
        "modal",
        "untung",
        "toko",
        "pelanggan",
        "produk",
        "omzet",
        "wirausaha",
        "branding",
        "jualan",
    ),
    "seni": (
        "seni",
        "gambar",
        "lukis",
        "musik",
        "lagu",
        "gitar",
        "tari",
        "batik",
        "kerajinan",
        "desain",
        "foto",
        "rajut",
        "anyam",
        "kriya",
    ),
    "olahraga": (
        "sepakbola",
        "bola",
        "badminton",
        "bulutangkis",
        "lari",
        "renang",
        "gym",
        "futsal",
        "basket",
        "voli",
        "silat",
        "atlet",
        "latih",
    ),
    "hiburan": (
        "lucu",
        "komedi",
        "prank",
        "film",
        "drama",
        "meme",
        "parodi",
        "joget",
        "hiburan",
        "vlog",
        "lawak",
        "game",
    ),
}


def suggest_topic(caption: str) -> Topic | None:
    """The topic whose keywords occur most in the caption (words and hashtags); None if none does."""
    from kilas.search.text import caption_terms

    terms = caption_terms(caption)
    if not terms:
        return None
    scores: dict[str, int] = {}
    for slug, keywords in TOPIC_KEYWORDS.items():
        wanted = set(keywords)
        score = sum(1 for term in terms if term in wanted)
        if score:
            scores[slug] = score
    if not scores:
        return None
    order = [topic.slug for topic in TOPICS]
    best = max(scores, key=lambda slug: (scores[slug], -order.index(slug)))
    return BY_SLUG[best]


def check_topic(slug: str | None) -> str | None:
    """A topic slug from a form or the API: None or "" clears it; an unknown slug is refused."""
    from kilas.errors import InvalidInput

    if not slug:
        return None
    if slug not in BY_SLUG:
        raise InvalidInput("Choose one of the topics in the list.", field="topic")
    return slug


def topic_out(topic: Topic) -> "TopicOut":
    from kilas.search.schemas import TopicOut

    return TopicOut(
        slug=topic.slug, label=gettext(topic.label), learning=topic.learning, url=f"/topik/{topic.slug}"
    )
