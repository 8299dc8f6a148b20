"""`python -m crawler`: one crawl per process (Twisted's reactor cannot be restarted)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from crawler.process import run_crawl
from ops.config_files import load_config
from pipeline.errors import NewsdeskError


def main(argv: list[str] | None = None) -> int:
    """Parse arguments, crawl, and turn newsdesk errors into one line on stderr."""
    parser = argparse.ArgumentParser(prog="python -m crawler", description=__doc__)
    parser.add_argument("sources", nargs="*", help="source ids (default: every enabled source)")
    parser.add_argument("--config", default="config", help="config directory")
    parser.add_argument("--db", default="data/newsdesk.db", help="SQLite database path")
    parser.add_argument("--run-id", type=int, default=None, help="record into this run")
    parser.add_argument("--dry-run", action="store_true", help="write nothing to the database")
    parser.add_argument("--report", type=Path, default=None, help="write a JSON report here")
    parser.add_argument("--no-polite", action="store_true", help="no delays (benchmarks only)")
    parser.add_argument("--max-items", type=int, default=0, help="most detail pages per source")
    args = parser.parse_args(argv)
    try:
        config = load_config(args.config)
        run_crawl(
            config, None if args.dry_run else args.db, args.sources, args.run_id,
            polite=not args.no_polite, report=args.report, max_items=args.max_items,
        )  # fmt: skip
    except NewsdeskError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
