"""A small Indonesian corpus and the queries a person would type, with the video expected on top.

Rows are made straight in the database (ready, public, with engagement and an age) so the relevance
set stays quick; the search index is filled by the same hook as for uploaded videos.
"""

import secrets
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from kilas.accounts.models import User
from kilas.db import utcnow
from kilas.enums import VideoStatus, Visibility
from kilas.videos.models import Video
from kilas.videos.service import set_hashtags

CREATORS = {
    "bu_ratna_masak": "Bu Ratna Masak",
    "pak_budi_guru": "Pak Budi Guru",
    "kak_sinta_finansial": "Kak Sinta",
    "mas_dimas_coding": "Mas Dimas",
    "umkm_jaya": "UMKM Jaya",
}

# key: (creator, caption, topic)
VIDEOS: dict[str, tuple[str, str, str | None]] = {
    "excel1": (
        "mas_dimas_coding",
        "Belajar Excel untuk pemula bagian 1: mengenal rumus SUM #BelajarExcel",
        "teknologi",
    ),
    "excel2": (
        "mas_dimas_coding",
        "Rumus VLOOKUP di Excel, cara mencari data dengan cepat #BelajarExcel",
        "teknologi",
    ),
    "ajar": (
        "pak_budi_guru",
        "Pembelajaran matematika dasar: pecahan dan perkalian untuk anak SD",
        "matematika",
    ),
    "pelajari": ("pak_budi_guru", "Mempelajari tata bahasa Inggris: present tense dan past tense", "bahasa"),
    "bagi": ("umkm_jaya", "Membagikan pengalaman merintis usaha kopi dari garasi rumah #UMKM", "bisnis"),
    "rendang": ("bu_ratna_masak", "Resep rendang daging sapi khas Padang, empuk dan meresap", "memasak"),
    "nasigoreng": ("bu_ratna_masak", "Cara memasak nasi goreng kampung yang gurih untuk sarapan", "memasak"),
    "sambal": ("bu_ratna_masak", "Sambal matah Bali segar, pedasnya nagih #resep", "memasak"),
    "tabung": ("kak_sinta_finansial", "Tips menabung untuk mahasiswa dengan gaji pas-pasan", "keuangan"),
    "invest": ("kak_sinta_finansial", "Investasi reksadana untuk pemula: risiko dan keuntungan", "keuangan"),
    "pajak": (
        "kak_sinta_finansial",
        "Cara melaporkan pajak penghasilan SPT tahunan secara online",
        "keuangan",
    ),
    "majapahit": ("pak_budi_guru", "Sejarah Kerajaan Majapahit dan Sumpah Palapa Gajah Mada", "sejarah"),
    "proklamasi": (
        "pak_budi_guru",
        "Detik-detik proklamasi kemerdekaan Indonesia 17 Agustus 1945",
        "sejarah",
    ),
    "jantung": ("pak_budi_guru", "Menjaga kesehatan jantung dengan olahraga ringan setiap pagi", "kesehatan"),
    "tidur": ("pak_budi_guru", "Mengapa tidur cukup penting untuk daya ingat pelajar", "kesehatan"),
    "python": ("mas_dimas_coding", "Pemrograman Python dasar: variabel, perulangan, dan fungsi", "teknologi"),
    "android": ("mas_dimas_coding", "Membuat aplikasi Android sederhana tanpa coding", "teknologi"),
    "batik": ("umkm_jaya", "Membatik dengan canting: teknik tulis tradisional Pekalongan", "seni"),
    "gitar": ("umkm_jaya", "Belajar kunci gitar dasar untuk lagu pop", "seni"),
    "fotosintesis": ("pak_budi_guru", "Proses fotosintesis pada tumbuhan dijelaskan dengan animasi", "sains"),
    "gravitasi": ("pak_budi_guru", "Eksperimen sederhana gaya gravitasi dengan botol air", "sains"),
    "jualan": ("umkm_jaya", "Strategi jualan online di marketplace supaya laris manis #UMKM", "bisnis"),
    "branding": ("umkm_jaya", "Pentingnya branding kemasan produk untuk usaha kecil", "bisnis"),
    "kue": ("bu_ratna_masak", "Kue lapis legit lembut, takaran bahan lengkap", "memasak"),
    "jepang": ("pak_budi_guru", "Kosakata bahasa Jepang sehari-hari untuk pemula", "bahasa"),
    "badminton": ("umkm_jaya", "Teknik smash bulutangkis ala atlet nasional", "olahraga"),
    "komedi": ("umkm_jaya", "Sketsa komedi tentang anak kos di akhir bulan", "hiburan"),
    "wayang": ("pak_budi_guru", "Kisah pewayangan Arjuna dan makna filosofinya", "seni"),
    "kopi": ("bu_ratna_masak", "Menyeduh kopi tubruk yang nikmat di rumah", "memasak"),
    "listrik": ("kak_sinta_finansial", "Menghemat listrik rumah tangga dengan cara sederhana", "keuangan"),
    "stunting": ("pak_budi_guru", "Mencegah stunting dengan gizi seimbang untuk balita", "kesehatan"),
}

# (query, key expected, within the first N results)
QUERIES: list[tuple[str, str, int]] = [
    ("pembelajaran matematika", "ajar", 1),
    ("belajar matematika", "ajar", 1),
    ("mempelajari bahasa inggris", "pelajari", 1),
    ("berbagi pengalaman usaha", "bagi", 1),
    ("resep rendang", "rendang", 1),
    ("memasak nasi goreng", "nasigoreng", 1),
    ("masak nasi", "nasigoreng", 1),
    ("menabung", "tabung", 1),
    ("tabungan mahasiswa", "tabung", 1),
    ("investasi pemula", "invest", 1),
    ("lapor pajak", "pajak", 1),
    ("kerajaan majapahit", "majapahit", 1),
    ("sejarah gajah mada", "majapahit", 1),
    ("proklamasi kemerdekaan", "proklamasi", 1),
    ("kesehatan jantung", "jantung", 1),
    ("olahraga pagi", "jantung", 1),
    ("pentingnya tidur", "tidur", 1),
    ("pemrograman python", "python", 1),
    ("membuat aplikasi android", "android", 1),
    ("membatik canting", "batik", 1),
    ("batik pekalongan", "batik", 1),
    ("kunci gitar", "gitar", 1),
    ("fotosintesis tumbuhan", "fotosintesis", 1),
    ("percobaan gravitasi", "gravitasi", 1),
    ("jualan online laris", "jualan", 1),
    ("kemasan produk", "branding", 1),
    ("kue lapis legit", "kue", 1),
    ("kosakata jepang", "jepang", 1),
    ("smash bulutangkis", "badminton", 1),
    ("anak kos", "komedi", 1),
    ("pewayangan arjuna", "wayang", 1),
    ("kopi tubruk", "kopi", 1),
    ("hemat listrik", "listrik", 1),
    ("gizi balita", "stunting", 1),
    ("yang paling enak rendang", "rendang", 1),
    ("ratna rendang", "rendang", 1),
    ("#BelajarExcel", "excel2", 2),
    # small typos
    ("rendamg", "rendang", 1),
    ("fotosintesiss", "fotosintesis", 1),
    ("majapait", "majapahit", 1),
    ("pembelajaram matematika", "ajar", 1),
    ("reksadanna", "invest", 1),
]


async def make_corpus(db: AsyncSession) -> dict[str, int]:
    """Insert the creators (already signed up through the API) 's videos; returns key -> video id."""
    users = {u.username: u for u in await db.scalars(select(User).where(User.username.in_(CREATORS)))}
    now = utcnow()
    ids: dict[str, int] = {}
    for number, (key, (creator, caption, topic)) in enumerate(VIDEOS.items()):
        published = now - timedelta(days=number % 9, hours=number)
        video = Video(
            owner_id=users[creator].id,
            caption=caption,
            topic=topic,
            visibility=Visibility.public,
            status=VideoStatus.ready,
            media_prefix=f"videos/{secrets.token_hex(8)}",
            source_key="unused/original.mp4",
            likes_count=(number * 7) % 40,
            views_count=(number * 13) % 200,
            created_at=published,
            published_at=published,
        )
        db.add(video)
        await db.flush()
        await set_hashtags(db=db, video=video)
        ids[key] = video.id
    await db.commit()
    return ids
