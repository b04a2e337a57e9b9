"""Words of captions, hashtags and subtitles, Bahasa Indonesia aware.

Indonesian glues particles and possessives to words ("resepnya", "cobalah", "masakanku") and
writes plurals by doubling ("kue-kue"): those are folded to the base word so "resep" and
"resepnya" count as one. Common function words of both languages are left out.
"""

import re

WORD = re.compile(r"#?[0-9a-zà-ÿ]+(?:-[0-9a-zà-ÿ]+)*")
_STOPWORD_TEXT = (
    "yang dan di ke dari ini itu untuk dengan ada juga tidak bisa akan aku kamu kita kami saya dia "
    "mereka ya nih dong deh sih kok lah pun atau tapi karena jadi kalau sudah belum lagi banget sama "
    "pada oleh dalam buat biar aja saja mau cuma hanya semua para the a an and or of to in on for is "
    "are this that with you your my we it be at by"
)
STOPWORDS = frozenset(_STOPWORD_TEXT.split(" "))
PARTICLES = ("nya", "lah", "kah", "pun", "ku", "mu")


def stem(word: str) -> str:
    if "-" in word:
        left, _, right = word.partition("-")
        word = left if left == right else word.replace("-", "")
    for suffix in PARTICLES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            return word[: -len(suffix)]
    return word


def tokens(text: str) -> list[str]:
    """Lower-cased base words; hashtags keep their `#` so a tag and a word stay apart."""
    out: list[str] = []
    for raw in WORD.findall(text.lower()):
        tag = raw.startswith("#")
        word = stem(raw.lstrip("#"))
        if len(word) < 2 or (not tag and word in STOPWORDS):
            continue
        out.append("#" + word if tag else word)
    return out
