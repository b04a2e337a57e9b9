"""`kilas serve | worker | migrate | demo | rollup | admin | feed-eval | feed-rebuild`."""

import argparse
import asyncio
import logging
import sys

from kilas.settings import Settings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="kilas", description="Kilas: short videos to learn and grow together."
    )
    commands = parser.add_subparsers(dest="command", required=True)

    serve = commands.add_parser("serve", help="serve the web app (and, embedded, run the job worker)")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--no-worker", action="store_true", help="do not run jobs in this process")

    worker = commands.add_parser("worker", help="work the job queue")
    worker.add_argument("--workers", type=int, default=None)

    commands.add_parser("migrate", help="bring the database schema up to date")

    demo = commands.add_parser("demo", help="seed demo users and videos")
    demo.add_argument("--reset", action="store_true", help="erase all data first")
    demo.add_argument("--if-empty", action="store_true", help="only seed an empty database")

    rollup = commands.add_parser("rollup", help="bring the analytics rollups up to date now")
    rollup.add_argument("--full", action="store_true", help="rebuild every rollup from the oldest activity")

    commands.add_parser("feed-rebuild", help="rebuild the For You feed's pools and model now")

    admin = commands.add_parser("admin", help="make an account an operator (admin)")
    admin.add_argument("username")
    admin.add_argument("--revoke", action="store_true", help="take the operator rights away")

    feed_eval = commands.add_parser(
        "feed-eval", help="replay an interaction log and score the feed's ranking"
    )
    feed_eval.add_argument("--interactions", required=True, help="CSV: user_id,item_id,timestamp,watch_ratio")
    feed_eval.add_argument("--items", help="CSV: item_id,creator_id,tags,duration_s")
    feed_eval.add_argument("-k", type=int, default=10, help="the K of Recall@K and NDCG@K")
    feed_eval.add_argument("--max-moments", type=int, default=5000, help="evaluate at most this many moments")

    args = parser.parse_args(argv)
    if args.command == "feed-eval":
        from kilas.feed.engine.commands import feed_eval_command

        return feed_eval_command(args.interactions, args.items, k=args.k, max_moments=args.max_moments)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    settings = Settings()

    if args.command == "migrate":
        from kilas.migrate import migrate

        migrate(settings)
    elif args.command == "serve":
        import uvicorn

        from kilas.app import create_app

        if args.no_worker:
            settings = settings.model_copy(update={"run_consumer_in_web": False})
        uvicorn.run(
            create_app(settings),
            host=args.host,
            port=args.port,
            proxy_headers=True,
            log_level="info",
            access_log=settings.access_log,
            # On SIGTERM: stop accepting, let in-flight requests finish, then run the lifespan shutdown.
            timeout_graceful_shutdown=settings.web_shutdown_timeout_seconds,
        )
    elif args.command == "worker":
        from kilas.events.processor import start_processor_thread
        from kilas.jobs import huey_queue

        if settings.process_events:
            start_processor_thread(settings)
        huey_queue(settings).run_worker(args.workers or settings.job_workers)
    elif args.command == "demo":
        from kilas.demo.seed import seed_demo

        asyncio.run(seed_demo(settings, reset=args.reset, only_if_empty=args.if_empty))
    elif args.command == "rollup":
        from kilas.analytics.commands import rollup_now

        asyncio.run(rollup_now(settings, full=args.full))
    elif args.command == "feed-rebuild":
        from kilas.feed.commands import feed_rebuild

        asyncio.run(feed_rebuild(settings))
    elif args.command == "admin":
        from kilas.analytics.commands import set_admin

        return asyncio.run(set_admin(settings, args.username, admin=not args.revoke))
    return 0


if __name__ == "__main__":
    sys.exit(main())
