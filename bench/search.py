"""Search latency and index build time with a million videos, on SQLite (FTS5) and PostgreSQL.

Synthetic rows: 2,000 creators and `--videos` ready public videos (1,000,000 by default) whose
captions are 8-14 Indonesian words drawn with a Zipf-like skew from ~300 affixed forms (so common
roots such as "ajar" match tens of thousands of videos and rare ones a handful), plus a hashtag.
Rows are bulk-inserted, then the index is built with `kilas.search.index.rebuild_index` (stemming,
stopwords, FTS5 or tsvector rows and the vocabulary): `index_build` is that time and its rate.

Queries (`--queries`, 300 by default) are one to three words, a fifth of them with a one-letter typo,
run one at a time through `search_videos` (the service behind `GET /api/v1/search`: parse, typo
correction, full-text match under `listable_by`, blended ranking) for an anonymous viewer; p50 and
p99 are printed. The baseline is what search was before: `caption LIKE '%word%'` over the first
`--baseline-videos` (50,000) videos, the same queries' first word; `search.ratio` is the baseline's
p50 over the full-text search's p50 on the whole set (above 1: the index on 20x the data is faster).

    python -m bench.search [--videos 1000000] [--queries 300] [--postgres postgresql://user@host/db]

`--postgres` takes an admin URL: a database `kilas_bench_search_<random>` is made there and dropped
after. Without it only SQLite runs.
"""

import argparse
import asyncio
import random
import secrets
import statistics
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from sqlalchemy import func, insert, select
from sqlalchemy.ext.asyncio import AsyncEngine

from kilas.accounts.models import User
from kilas.db import create_engine, make_sessionmaker, utcnow
from kilas.enums import AccountType, VideoStatus, Visibility
from kilas.migrate import migrate_async
from kilas.search.index import rebuild_index
from kilas.search.service import search_videos
from kilas.settings import Settings
from kilas.videos.models import Video

CREATORS = 2_000
BATCH = 5_000
WORDS = [
    "belajar",
    "pembelajaran",
    "mempelajari",
    "pelajaran",
    "mengajar",
    "pengajar",
    "ajaran",
    "berbagi",
    "membagikan",
    "pembagian",
    "memasak",
    "masakan",
    "resep",
    "rendang",
    "sambal",
    "nasi",
    "goreng",
    "soto",
    "bakso",
    "sayur",
    "bumbu",
    "dapur",
    "kue",
    "roti",
    "menabung",
    "tabungan",
    "investasi",
    "reksadana",
    "saham",
    "keuangan",
    "uang",
    "gaji",
    "pajak",
    "melaporkan",
    "laporan",
    "anggaran",
    "usaha",
    "berusaha",
    "pengusaha",
    "jualan",
    "berjualan",
    "menjual",
    "penjualan",
    "pembeli",
    "produk",
    "kemasan",
    "toko",
    "pasar",
    "marketplace",
    "pelanggan",
    "modal",
    "keuntungan",
    "untung",
    "rugi",
    "promosi",
    "mempromosikan",
    "iklan",
    "merek",
    "branding",
    "matematika",
    "pecahan",
    "perkalian",
    "pembagian",
    "rumus",
    "menghitung",
    "perhitungan",
    "angka",
    "soal",
    "aljabar",
    "geometri",
    "sains",
    "fisika",
    "kimia",
    "biologi",
    "eksperimen",
    "percobaan",
    "gravitasi",
    "fotosintesis",
    "tumbuhan",
    "hewan",
    "sel",
    "energi",
    "sejarah",
    "kerajaan",
    "majapahit",
    "sriwijaya",
    "proklamasi",
    "kemerdekaan",
    "pahlawan",
    "perjuangan",
    "candi",
    "budaya",
    "bahasa",
    "inggris",
    "jepang",
    "arab",
    "kosakata",
    "kalimat",
    "tata",
    "percakapan",
    "pengucapan",
    "menulis",
    "tulisan",
    "membaca",
    "kesehatan",
    "sehat",
    "jantung",
    "tidur",
    "gizi",
    "makanan",
    "minuman",
    "olahraga",
    "berolahraga",
    "lari",
    "senam",
    "diet",
    "vitamin",
    "teknologi",
    "komputer",
    "aplikasi",
    "android",
    "coding",
    "pemrograman",
    "python",
    "excel",
    "data",
    "internet",
    "website",
    "laptop",
    "seni",
    "menggambar",
    "gambar",
    "melukis",
    "lukisan",
    "musik",
    "gitar",
    "lagu",
    "menyanyi",
    "tari",
    "batik",
    "membatik",
    "kerajinan",
    "sepakbola",
    "bulutangkis",
    "badminton",
    "renang",
    "berenang",
    "latihan",
    "melatih",
    "pelatih",
    "atlet",
    "pertandingan",
    "komedi",
    "lucu",
    "hiburan",
    "drama",
    "film",
    "cerita",
    "bercerita",
    "kisah",
    "pengalaman",
    "perjalanan",
    "liburan",
    "wisata",
    "pemula",
    "dasar",
    "mudah",
    "cepat",
    "praktis",
    "sederhana",
    "lengkap",
    "rahasia",
    "trik",
    "tips",
    "cara",
    "langkah",
    "panduan",
    "anak",
    "siswa",
    "mahasiswa",
    "guru",
    "sekolah",
    "kampus",
    "kelas",
    "ujian",
    "nilai",
    "tugas",
    "rumah",
    "keluarga",
    "ibu",
    "bapak",
    "pertanian",
    "petani",
    "menanam",
    "tanaman",
    "kebun",
    "sawah",
    "panen",
    "pupuk",
    "organik",
    "hidroponik",
    "ikan",
    "ternak",
    "kopi",
    "teh",
    "susu",
    "air",
    "listrik",
    "menghemat",
    "hemat",
    "lingkungan",
    "sampah",
    "daur",
    "ulang",
    "plastik",
    "hijau",
    "bersih",
]
STOPWORDS = [
    "yang",
    "dan",
    "untuk",
    "di",
    "ke",
    "dari",
    "dengan",
    "ini",
    "itu",
    "agar",
    "supaya",
    "bisa",
    "juga",
]
HASHTAGS = [
    "BelajarExcel",
    "SamaSamaBelajar",
    "Resep",
    "UMKM",
    "TipsKeuangan",
    "Sains",
    "Sejarah",
    "Bahasa",
    "Kesehatan",
    "Coding",
    "Seni",
    "Olahraga",
    "Hiburan",
    "Pertanian",
    "Lingkungan",
]
QUERY_FORMS = [
    "belajar excel",
    "pembelajaran matematika",
    "resep rendang",
    "berbagi pengalaman",
    "menabung",
    "investasi reksadana",
    "jualan online",
    "sejarah majapahit",
    "kosakata jepang",
    "kesehatan jantung",
    "pemrograman python",
    "membatik",
    "fotosintesis tumbuhan",
    "hidroponik",
    "hemat listrik",
    "tips usaha pemula",
    "cara memasak nasi goreng",
    "latihan bulutangkis",
    "daur ulang plastik",
]


def caption_for(rng: random.Random) -> str:
    count = rng.randint(8, 14)
    words = []
    for _ in range(count):
        if rng.random() < 0.25:
            words.append(rng.choice(STOPWORDS))
        else:
            # Zipf-like: low indexes far more often.
            index = min(int(rng.paretovariate(1.1)) - 1, len(WORDS) - 1)
            words.append(WORDS[(index * 37) % len(WORDS)] if rng.random() < 0.5 else rng.choice(WORDS))
    return " ".join(words).capitalize() + f" #{rng.choice(HASHTAGS)}"


def make_queries(rng: random.Random, count: int) -> list[str]:
    queries = []
    for number in range(count):
        if number % 3 == 0:
            query = rng.choice(QUERY_FORMS)
        else:
            query = " ".join(rng.choice(WORDS) for _ in range(rng.randint(1, 3)))
        if number % 5 == 4:
            first = query.split()[0]
            cut = rng.randrange(1, len(first))
            query = query.replace(first, first[:cut] + first[cut + 1 :], 1)  # a missing letter
        queries.append(query)
    return queries


async def seed(engine: AsyncEngine, videos: int) -> None:
    rng = random.Random(7)
    now = utcnow()
    async with engine.begin() as connection:
        await connection.execute(
            insert(User),
            [
                {
                    "username": f"kreator{n}",
                    "email": f"kreator{n}@contoh.id",
                    "password_hash": "x",
                    "display_name": f"Kreator {rng.choice(WORDS).title()} {n}",
                    "birth_date": date(1990, 1, 1),
                    "account_type": AccountType.creator,
                    "created_at": now,
                }
                for n in range(CREATORS)
            ],
        )
    for start in range(0, videos, BATCH):
        rows = []
        for n in range(start, min(start + BATCH, videos)):
            published = now - timedelta(minutes=n % 200_000)
            rows.append(
                {
                    "owner_id": 1 + n % CREATORS,
                    "caption": caption_for(rng),
                    "visibility": Visibility.public,
                    "status": VideoStatus.ready,
                    "media_prefix": f"videos/b{n}",
                    "source_key": f"videos/b{n}/original.mp4",
                    "likes_count": int(rng.paretovariate(1.5)) - 1,
                    "views_count": int(rng.paretovariate(1.2) * 10),
                    "created_at": published,
                    "published_at": published,
                }
            )
        async with engine.begin() as connection:
            await connection.execute(insert(Video), rows)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * share))]


async def measure(label: str, url: str, videos: int, queries: list[str], baseline_videos: int) -> None:
    engine = create_engine(url)
    try:
        started = time.perf_counter()
        await seed(engine, videos)
        print(f"BENCH search.{label}.seed_seconds {time.perf_counter() - started:.1f} s", flush=True)

        started = time.perf_counter()
        async with engine.begin() as connection:
            indexed = await connection.run_sync(rebuild_index)
        build = time.perf_counter() - started
        print(f"BENCH search.{label}.index_build {build:.1f} s")
        print(f"BENCH search.{label}.index_build_rate {indexed / build:.0f} videos/s")
        if url.startswith("postgresql"):
            async with engine.begin() as connection:
                await connection.exec_driver_sql("ANALYZE")

        sessionmaker = make_sessionmaker(engine)
        latencies: list[float] = []
        hits: list[int] = []
        async with sessionmaker() as db:
            await search_videos(db=db, viewer=None, q="pemanasan")  # loads the vocabulary
            for query in queries:
                started = time.perf_counter()
                found = await search_videos(db=db, viewer=None, q=query, limit=20)
                latencies.append((time.perf_counter() - started) * 1000)
                hits.append(len(found.videos))
            baseline: list[float] = []
            for query in queries:
                word = query.split()[0]
                started = time.perf_counter()
                await db.scalars(
                    select(Video.id)
                    .where(Video.id <= baseline_videos, func.lower(Video.caption).like(f"%{word}%"))
                    .order_by(Video.published_at.desc())
                    .limit(20)
                )
                baseline.append((time.perf_counter() - started) * 1000)
        p50 = statistics.median(latencies)
        print(f"BENCH search.{label}.p50 {p50:.1f} ms")
        print(f"BENCH search.{label}.p99 {percentile(latencies, 0.99):.1f} ms")
        print(f"BENCH search.{label}.results_per_query {statistics.mean(hits):.1f} videos")
        like_p50 = statistics.median(baseline)
        print(f"BENCH search.{label}.like_scan_{baseline_videos}.p50 {like_p50:.1f} ms")
        print(f"BENCH search.{label}.ratio {like_p50 / p50:.2f} x")
    finally:
        await engine.dispose()


async def run(
    videos: int = 1_000_000, queries: int = 300, postgres: str | None = None, baseline_videos: int = 50_000
) -> None:
    chosen = make_queries(random.Random(11), queries)
    print(f"BENCH search.videos {videos} videos")
    with tempfile.TemporaryDirectory(prefix="kilas-bench-search-") as folder:
        settings = Settings(data_dir=Path(folder), _env_file=None)  # type: ignore[call-arg]
        await migrate_async(settings)
        await measure("sqlite", settings.resolved_database_url, videos, chosen, baseline_videos)
    if postgres:
        import asyncpg

        name = f"kilas_bench_search_{secrets.token_hex(4)}"
        parts = urlsplit(postgres)
        admin_url = urlunsplit(("postgresql", parts.netloc, parts.path, "", ""))
        url = urlunsplit(("postgresql+asyncpg", parts.netloc, f"/{name}", "", ""))
        admin = await asyncpg.connect(admin_url)
        await admin.execute(f'CREATE DATABASE "{name}"')
        try:
            with tempfile.TemporaryDirectory(prefix="kilas-bench-search-") as folder:
                await migrate_async(Settings(data_dir=Path(folder), database_url=url, _env_file=None))  # type: ignore[call-arg]
                await measure("postgresql", url, videos, chosen, baseline_videos)
        finally:
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            await admin.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--videos", type=int, default=1_000_000)
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--baseline-videos", type=int, default=50_000)
    parser.add_argument(
        "--postgres", default=None, help="an admin URL; a scratch database is made and dropped"
    )
    arguments = parser.parse_args()
    asyncio.run(run(arguments.videos, arguments.queries, arguments.postgres, arguments.baseline_videos))
