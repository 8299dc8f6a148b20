"""`newsdesk demo`: serve the bundled offline sites, crawl them once, and summarise."""

from __future__ import annotations

from pathlib import Path

import store.db
from demo.fixture_server import DEMO_ROOT, serve
from ops.cycle import run_cycle
from ops.report import cycle_report, queue_report, table
from pipeline.config import Config

DEMO_FILE = "demo.toml"
# Every demo host ends in .example (reserved by RFC 2606): routing all of them to the local
# server cannot shadow a real site.
DEMO_HOSTS = "*.example"


def demo_source_ids(config: Config) -> list[str]:
    """The sources defined in config/sources/demo.toml."""
    return [s.id for s in config.sources if Path(s.file).name == DEMO_FILE]


def run_demo(config: Config, db_path: str, fresh: bool = True) -> str:
    """Run one cycle over the demo sites into `db_path`; return the printed summary."""
    ids = demo_source_ids(config)
    if not ids:
        raise SystemExit(f"no sources in {config.directory}/sources/{DEMO_FILE}")
    if fresh:
        for suffix in ("", "-wal", "-shm"):
            Path(db_path + suffix).unlink(missing_ok=True)
    with serve(DEMO_ROOT) as server:
        env = {"NEWSDESK_HOST_MAP": f"{DEMO_HOSTS}={server.proxy}"}
        # Politeness delays are for real sites; the local demo server needs none.
        result = run_cycle(config, db_path, ids, trigger="demo", env=env, polite=False)
    db = store.db.open_db(db_path)
    clusters = db.execute(
        "SELECT count(DISTINCT cluster_id) FROM items WHERE status = 'duplicate'"
    ).fetchone()[0]
    status = store.db.count_by(db, "status")
    lines = [
        f"demo site served on 127.0.0.1:{server.port}; database: {db_path}",
        cycle_report(db, result.run_id),
        "",
        queue_report(db, config),
        "",
        table(
            ["processed now", "pending", "reprints (duplicate)", "reprint groups", "off_topic"],
            [
                [
                    result.processed.processed,
                    status.get("pending", 0),
                    status.get("duplicate", 0),
                    clusters,
                    status.get("off_topic", 0),
                ]
            ],
        ),
    ]
    return "\n".join(lines)
