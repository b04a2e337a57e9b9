"""Neighbours of a video, precomputed by the periodic job and read by a request as a candidate source.

- co-engagement: viewers who finished this also finished... (item x item cosine over finishes);
- content similarity: the words of captions, hashtags and subtitles (TF-IDF cosine, Indonesian-aware).
"""

from collections.abc import Iterable, Sequence

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer

from kilas.feed.engine.text import tokens

CO_NEIGHBOURS = 20
SIMILAR_NEIGHBOURS = 10
MIN_SIMILARITY = 0.1
CHUNK = 500
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
    """From (video, text) pairs: each video's nearest videos by their words (cosine >= 0.1).

    TF-IDF rows are unit length, so cosine is a dot product; it is taken `CHUNK` rows at a time, so
    memory grows with the number of documents, not its square."""
    if len(documents) < 2:
        return {}
    vectorizer = TfidfVectorizer(tokenizer=tokens, lowercase=False, token_pattern=None, min_df=1)
    try:
        matrix = vectorizer.fit_transform([text for _, text in documents]).astype(np.float32)
    except ValueError:  # no words at all
        return {}
    transposed = matrix.T.tocsc()
    k = min(top, len(documents) - 1)
    result: Neighbours = {}
    for start in range(0, len(documents), CHUNK):
        scores = (matrix[start : start + CHUNK] @ transposed).toarray()
        rows = np.arange(scores.shape[0])
        scores[rows, rows + start] = 0.0  # not its own neighbour
        best = np.argpartition(-scores, k - 1, axis=1)[:, :k]
        for row, columns in enumerate(best):
            result[documents[start + row][0]] = {
                documents[column][0]: float(scores[row, column])
                for column in sorted(columns, key=lambda c: -scores[row, c])
                if scores[row, column] >= MIN_SIMILARITY
            }
    return result
