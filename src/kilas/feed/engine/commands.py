"""`kilas feed-eval`: the offline evaluation from the command line."""

import sys

from kilas.feed.engine.evaluate import evaluate, read_interactions, read_items


def feed_eval_command(interactions: str, items: str | None, *, k: int, max_moments: int) -> int:
    if k < 1 or max_moments < 1:
        print("-k and --max-moments must be at least 1.", file=sys.stderr)
        return 2
    try:
        log = read_interactions(interactions)
        catalog = read_items(items) if items else None
    except (OSError, ValueError) as error:
        print(f"Cannot read the input: {error}", file=sys.stderr)
        return 2
    if not log:
        print("The interaction log is empty.", file=sys.stderr)
        return 2
    print(evaluate(log, catalog, k=k, max_moments=max_moments).table())
    return 0
