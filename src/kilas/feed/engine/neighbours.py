"""Neighbours of a video, precomputed by the periodic job and read by a request as a candidate source.

- co-engagement: viewers who finished this also finished... (item x item cosine over finishes);
- content similarity: the words of captions, hashtags and subtitles (TF-IDF cosine, Indonesian-aware).
"""

from collections.abc import Iterable, Sequence

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.neighbors import NearestNeighbors

from kilas.feed.engine.text import tokens

CO_NEIGHBOURS = 20
SIMILAR_NEIGHBOURS = 10
Neighbours = dict[int, dict[int, float]]


def co_engagement(finishes: Iterable[tuple[int, int]], *, top: int = CO_NEIGHBOURS) -> Neighbours:
    """From (viewer, video) finishes: for each video, the videos most often finished by the same
    viewers, normalised by both videos' popularity (cosine)."""
    pairs = set(finishes)
    if not pairs:
        return {}
    users = {u: n for n, u in enumerate({u for u, _ in pairs})}
    items = {i: n for n, i in enumerate({i for _, i in pairs})}
    matrix = sparse.csr_matrix(
        (np.ones(len(pairs)), ([users[u] for u, _ in pairs], [items[i] for _, i in pairs])),
        shape=(len(users), len(items)),
    )
    together = (matrix.T @ matrix).tocsr()
    popularity = np.sqrt(together.diagonal()) + 1e-9
    ids = np.array(list(items))
    result: Neighbours = {}
    for row in range(together.shape[0]):
        start, end = together.indptr[row], together.indptr[row + 1]
        cols, counts = together.indices[start:end], together.data[start:end]
        keep = cols != row
        cols, counts = cols[keep], counts[keep]
        if len(cols) == 0:
            continue
        scores = counts / (popularity[row] * popularity[cols])
        best = np.argsort(-scores)[:top]
        result[int(ids[row])] = {int(ids[cols[t]]): float(scores[t]) for t in best}
    return result


def content_similarity(documents: Sequence[tuple[int, str]], *, top: int = SIMILAR_NEIGHBOURS) -> Neighbours:
    """From (video, text) pairs: each video's nearest videos by their words (cosine >= 0.1)."""
    if len(documents) < 2:
        return {}
    vectorizer = TfidfVectorizer(tokenizer=tokens, lowercase=False, token_pattern=None, min_df=1)
    try:
        matrix = vectorizer.fit_transform([text for _, text in documents])
    except ValueError:  # no words at all
        return {}
    k = min(top + 1, len(documents))
    distances, indices = NearestNeighbors(n_neighbors=k, metric="cosine").fit(matrix).kneighbors(matrix)
    result: Neighbours = {}
    for row, (item_id, _) in enumerate(documents):
        result[item_id] = {
            documents[j][0]: float(1 - d)
            for d, j in zip(distances[row], indices[row], strict=True)
            if j != row and d < 0.9
        }
    return result
