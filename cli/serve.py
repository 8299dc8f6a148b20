"""`newsdesk serve`: run the editors' desk."""

from __future__ import annotations

import click

from cli.context import Env, friendly_errors, pass_env


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=int, help="Port to listen on.")
@click.option("--threads", default=8, show_default=True, type=int, help="Requests served at once.")
@click.option(
    "--trusted-proxy", default="", metavar="ADDR",
    help="Address of an https reverse proxy in front (e.g. 127.0.0.1): its X-Forwarded-For and "
    "X-Forwarded-Proto are believed, so login throttling sees the real client and the session "
    "cookie is Secure.",
)  # fmt: skip
@pass_env
@friendly_errors
def serve(env: Env, host: str, port: int, threads: int, trusted_proxy: str) -> None:
    """Run the editors' desk (web, Simplified Chinese) until Ctrl-C.

    Editors log in with accounts made by `newsdesk users add`. Use --host 0.0.0.0 to let
    other computers on the office network reach it.

    Example:

        newsdesk serve --port 8000
    """
    from waitress import serve as run_server

    from desk.web import create_app

    app = create_app(env.db_path, env.config_dir)
    if not _has_users(env):
        click.echo("no editor accounts yet: create one with `newsdesk users add NAME`", err=True)
    click.echo(f"desk on http://{host}:{port}/ (database {env.db_path})")
    proxy: dict[str, object] = {}
    if trusted_proxy:
        proxy = {"trusted_proxy": trusted_proxy, "trusted_proxy_count": 1,
                 "trusted_proxy_headers": {"x-forwarded-for", "x-forwarded-proto"}}  # fmt: skip
    run_server(app, host=host, port=port, threads=threads, ident="newsdesk", **proxy)


def _has_users(env: Env) -> bool:
    import store.accounts

    return bool(store.accounts.list_users(env.db()))
