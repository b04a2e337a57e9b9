"""A synthetic platform for tests, the offline evaluation and the simulator.

Viewers have hidden tastes (two or three favourite topics, a few favourite creators); creators post
on one topic with a quality of their own; a watch model turns taste and quality into what a person
does: skip fast when bored, watch part of it when lukewarm, finish and sometimes rewatch when engaged,
and now and then like, share or follow.
"""

import csv
import math
import random
from dataclasses import dataclass, field
from pathlib import Path

from kilas.feed.engine.recommender import Interaction, Item

TOPICS = (
    "memasak", "sains", "matematika", "bahasa", "sejarah", "kesehatan",
    "teknologi", "keuangan", "bisnis", "seni", "olahraga", "hiburan",
)  # fmt: skip
WORDS = {
    "memasak": "resep masak sambal rendang nasi goreng dapur bumbu kue",
    "sains": "eksperimen fisika kimia biologi atom sel percobaan alam",
    "matematika": "hitung rumus aljabar soal pecahan geometri angka logika",
    "bahasa": "kosakata inggris jepang tata bahasa kalimat ucapan kata arti",
    "sejarah": "kerajaan majapahit merdeka pahlawan candi zaman kuno perang",
    "kesehatan": "sehat olahraga tidur gizi jantung dokter vitamin diet",
    "teknologi": "ponsel aplikasi coding laptop internet komputer gawai robot",
    "keuangan": "tabungan investasi saham gaji hemat anggaran utang reksa",
    "bisnis": "umkm jualan toko pelanggan usaha modal produk pasar",
    "seni": "lukis gambar kerajinan batik anyaman warna kuas tanah-liat",
    "olahraga": "sepak bola bulu tangkis lari gol latihan juara pertandingan",
    "hiburan": "lucu prank lagu tari komedi artis drama joget",
}
PROVINCES = ("DKI Jakarta", "Jawa Barat", "Jawa Timur", "Sumatera Utara", "Bali", "Sulawesi Selatan")


@dataclass
class SimCreator:
    creator_id: int
    topic: str
    quality: float
    joined_ts: float


@dataclass
class SimViewer:
    user_id: int
    tastes: dict[str, float]
    favourite_creators: set[int]
    province: str

    def top_topics(self, n: int = 2) -> set[str]:
        return {t for t, _ in sorted(self.tastes.items(), key=lambda kv: -kv[1])[:n]}


@dataclass
class World:
    seed: int = 0
    rng: random.Random = field(init=False)
    creators: list[SimCreator] = field(default_factory=list)
    viewers: list[SimViewer] = field(default_factory=list)
    items: dict[int, Item] = field(default_factory=dict)
    quality: dict[int, float] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.rng = random.Random(self.seed)

    def add_creator(self, now: float) -> SimCreator:
        creator = SimCreator(
            1_000_000 + len(self.creators), self.rng.choice(TOPICS), self.rng.betavariate(4, 3), now
        )
        self.creators.append(creator)
        return creator

    def add_viewer(self, user_id: int | None = None) -> SimViewer:
        favourites = self.rng.sample(TOPICS, self.rng.choice((2, 2, 3)))
        tastes = {t: self.rng.uniform(0.0, 0.25) for t in TOPICS}
        for rank, topic in enumerate(favourites):
            tastes[topic] = 1.0 - 0.12 * rank
        liked_creators = {
            c.creator_id for c in self.creators if c.topic in favourites and self.rng.random() < 0.15
        }
        viewer = SimViewer(
            user_id if user_id is not None else len(self.viewers) + 1,
            tastes,
            liked_creators,
            self.rng.choice(PROVINCES),
        )
        self.viewers.append(viewer)
        return viewer

    def upload(self, creator: SimCreator, now: float) -> Item:
        item_id = len(self.items) + 1
        words = WORDS[creator.topic].split()
        caption = " ".join(self.rng.sample(words, 3))
        tags = (creator.topic, "#" + self.rng.choice(words))
        item = Item(item_id, creator.creator_id, tags, self.rng.uniform(12, 60), now, caption)
        self.items[item_id] = item
        self.quality[item_id] = min(1.0, max(0.05, creator.quality + self.rng.gauss(0, 0.12)))
        return item

    def interest(self, viewer: SimViewer, item: Item) -> float:
        taste = viewer.tastes.get(item.tags[0], 0.1)
        bonus = 0.25 if item.creator_id in viewer.favourite_creators else 0.0
        return 0.75 * taste + 0.35 * self.quality[item.item_id] + bonus + self.rng.gauss(0, 0.08)

    def watch(self, viewer: SimViewer, item: Item, now: float) -> Interaction:
        interest = self.interest(viewer, item)
        if interest < 0.45:
            ratio = self.rng.uniform(0.02, 0.18)  # bored: swipe away within a second or two
        elif interest < 0.7:
            ratio = self.rng.uniform(0.3, 0.85)
        else:
            ratio = 1.0 + (self.rng.uniform(0.2, 1.0) if self.rng.random() < (interest - 0.7) * 1.5 else 0.0)
        engaged = max(0.0, interest - 0.7)
        return Interaction(
            viewer.user_id,
            item.item_id,
            now,
            round(ratio, 3),
            liked=self.rng.random() < engaged * 1.2,
            shared=self.rng.random() < engaged * 0.2,
            commented=self.rng.random() < engaged * 0.15,
            followed=self.rng.random() < engaged * 0.08,
        )

    def watch_seconds(self, interaction: Interaction) -> float:
        return max(1.0, interaction.watch_ratio * self.items[interaction.item_id].duration_s)


def generate_log(
    *, viewers: int = 200, creators: int = 40, videos: int = 600, days: float = 3.0, seed: int = 0
) -> tuple[list[Interaction], dict[int, Item]]:
    """An interaction log of people browsing a mixed catalogue (a random shelf of what exists, weighted
    towards what others played), watching by their hidden tastes."""
    world = World(seed)
    start = 1_700_000_000.0
    for _ in range(creators):
        world.add_creator(start)
    people = [world.add_viewer() for _ in range(viewers)]
    span = days * 86400
    upload_times = sorted(start + world.rng.uniform(0, span * 0.8) for _ in range(videos))
    for ts in upload_times:
        world.upload(world.rng.choice(world.creators), ts)
    items = sorted(world.items.values(), key=lambda i: i.published_ts)
    plays: dict[int, int] = {}
    log: list[Interaction] = []
    sessions = int(viewers * days * 3)
    for ts in sorted(start + world.rng.uniform(span * 0.05, span) for _ in range(sessions)):
        viewer = world.rng.choice(people)
        available = [i for i in items if i.published_ts <= ts]
        if not available:
            continue
        weights = [1.0 + math.sqrt(plays.get(i.item_id, 0)) for i in available]
        now = ts
        for item in world.rng.choices(available, weights, k=12):
            event = world.watch(viewer, item, now)
            log.append(event)
            plays[item.item_id] = plays.get(item.item_id, 0) + 1
            now += world.watch_seconds(event)
    log.sort(key=lambda e: e.timestamp)
    return log, world.items


def write_log(log: list[Interaction], items: dict[int, Item], directory: Path) -> tuple[Path, Path]:
    interactions_path, items_path = directory / "interactions.csv", directory / "items.csv"
    with open(interactions_path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["user_id", "item_id", "timestamp", "watch_ratio"])
        writer.writerows([e.user_id, e.item_id, f"{e.timestamp:.3f}", e.watch_ratio] for e in log)
    with open(items_path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["item_id", "creator_id", "tags", "duration_s"])
        writer.writerows(
            [i.item_id, i.creator_id, " ".join(i.tags), f"{i.duration_s:.1f}"] for i in items.values()
        )
    return interactions_path, items_path
