"""`make bench`: run every benchmark suite in turn."""

import asyncio

from bench import events_ingest, feed_api, feed_latency, feed_simulator, search, upload_to_playable


def main() -> None:
    asyncio.run(upload_to_playable.run(runs=3))
    asyncio.run(feed_api.run())
    asyncio.run(events_ingest.run(seconds=15, postgres=None))
    # Views per upload near 1,700 (the reference market: about 10,000), so new videos can find an audience.
    feed_simulator.run(viewers=800, days=1, uploads_per_hour=1, new_creators_per_hour=0.5, new_viewers=20)
    asyncio.run(search.run())
    feed_latency.run()


if __name__ == "__main__":
    main()
