"""Text as the search index sees it: Bahasa Indonesia words reduced to their root.

Affixes are stripped by Sastrawi's stemmer (PySastrawi: "pembelajaran", "mempelajari" and "belajar"
all become "ajar"; "membagikan" and "berbagi" become "bagi"), Sastrawi's stopword list is dropped
("yang", "di", "dan", ...), and hashtags are split on their capitals (#BelajarExcel: "ajar excel")
as well as kept whole. Index and query go through the same functions, so they always agree.
"""

import re
from functools import cache

from Sastrawi.Stemmer.StemmerFactory import StemmerFactory
from Sastrawi.StopWordRemover.StopWordRemoverFactory import StopWordRemoverFactory

WORD = re.compile(r"[^\W_]+", re.UNICODE)
HASHTAG = re.compile(r"#(\w{1,100})")
CAMEL_PART = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|\d+")
MAX_TERM_LENGTH = 64
# Words that carry meaning in short video captions although Sastrawi lists them as stopwords.
KEPT_WORDS = frozenset({"bagian", "baru", "cara", "masalah", "mulai", "awal", "akhir", "belajar"})


@cache
def _stemmer() -> object:
    return StemmerFactory().create_stemmer()


@cache
def stopwords() -> frozenset[str]:
    return frozenset(StopWordRemoverFactory().get_stop_words()) - KEPT_WORDS


@cache
def stem(word: str) -> str:
    """The root of one lower-case word (numbers and very short words are kept as they are)."""
    if len(word) <= 3 or word.isdigit():
        return word
    root: str = _stemmer().stem(word)  # type: ignore[attr-defined]
    return root or word


def words(text: str) -> list[str]:
    """Lower-case words of `text`, in order, without stopwords."""
    stop = stopwords()
    return [w for w in WORD.findall(text.lower()) if w not in stop and len(w) <= MAX_TERM_LENGTH]


def stems(text: str) -> list[str]:
    return [stem(word) for word in words(text)]


def hashtag_terms(caption: str) -> list[str]:
    """Each hashtag whole and split on its capitals: #BelajarExcel -> belajarexcel, ajar, excel."""
    terms: list[str] = []
    for match in HASHTAG.finditer(caption):
        tag = match.group(1)
        terms.append(tag.lower().replace("_", "")[:MAX_TERM_LENGTH])
        parts = CAMEL_PART.findall(tag.replace("_", " "))
        if len(parts) > 1:
            terms.extend(stems(" ".join(parts)))
    return terms


def caption_terms(caption: str) -> list[str]:
    return stems(HASHTAG.sub(" ", caption)) + hashtag_terms(caption)


def name_terms(*names: str) -> list[str]:
    """A creator's username and display name: each word whole and stemmed (people search for both)."""
    terms: list[str] = []
    for name in names:
        for word in WORD.findall(name.lower()):
            terms.append(word[:MAX_TERM_LENGTH])
            if stem(word) != word:
                terms.append(stem(word))
    return terms
