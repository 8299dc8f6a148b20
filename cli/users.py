"""`newsdesk users ...`: editor accounts for the desk."""

from __future__ import annotations

import click

import store.accounts
from cli.context import Env, friendly_errors, pass_env
from ops.report import table


def _password(password: str | None) -> str:
    """The given password, or one asked for twice without echo."""
    from desk.auth import MIN_PASSWORD, hash_password

    value = password or click.prompt("Password / 密码", hide_input=True, confirmation_prompt=True)
    try:
        return hash_password(value)
    except ValueError as exc:
        raise click.ClickException(f"{exc} / 密码至少 {MIN_PASSWORD} 位") from exc


@click.group()
def users() -> None:
    """Create and manage the accounts (editors and admins) that log in to the desk.

    Example:

        newsdesk users add wangli --display-name 王丽
    """


@users.command("add")
@click.argument("name")
@click.option("--display-name", default="", help="The name shown in the desk, e.g. 王丽.")
@click.option(
    "--password", envvar="NEWSDESK_PASSWORD", default=None,
    help="The password (env NEWSDESK_PASSWORD); asked for without echo when omitted.",
)  # fmt: skip
@click.option("--admin", is_flag=True, help="An admin (ops): may also resume sources, apply rule "
              "changes and manage accounts in the desk.")  # fmt: skip
@pass_env
@friendly_errors
def add(env: Env, name: str, display_name: str, password: str | None, admin: bool) -> None:
    """Create an account, an editor unless --admin (the password is stored as a scrypt hash).

    Example:

        newsdesk users add wangli --display-name 王丽
    """
    role = "admin" if admin else "editor"
    store.accounts.add_user(env.db(), name, _password(password), display_name, role)
    click.echo(f"user '{name}' created as {role} / 已创建账号（{'管理员' if admin else '编辑'}）")


@users.command("role")
@click.argument("name")
@click.argument("role", type=click.Choice(store.accounts.ROLES))
@pass_env
@friendly_errors
def role(env: Env, name: str, role: str) -> None:
    """Make an account an editor (review, build issues) or an admin (also ops and accounts).

    Example:

        newsdesk users role zhangwei admin
    """
    store.accounts.set_role(env.db(), name, role)
    click.echo(f"user '{name}' is now {role} / 已设置角色")


@users.command("list")
@pass_env
@friendly_errors
def list_(env: Env) -> None:
    """List the editor accounts.

    Example:

        newsdesk users list
    """
    rows = [
        [u["name"], u["display_name"], u["role"], "yes" if u["active"] else "no", u["created_at"]]
        for u in store.accounts.list_users(env.db())
    ]
    click.echo(table(["name", "display name", "role", "active", "created"], rows))


@users.command("passwd")
@click.argument("name")
@click.option(
    "--password", envvar="NEWSDESK_PASSWORD", default=None,
    help="The new password (env NEWSDESK_PASSWORD); asked for when omitted.",
)  # fmt: skip
@pass_env
@friendly_errors
def passwd(env: Env, name: str, password: str | None) -> None:
    """Set a new password; the editor's open sessions end.

    Example:

        newsdesk users passwd wangli
    """
    store.accounts.update_user(env.db(), name, password_hash=_password(password))
    click.echo(f"password of '{name}' changed / 已修改密码")


@users.command("disable")
@click.argument("name")
@click.option("--enable", is_flag=True, help="Switch the account back on instead.")
@pass_env
@friendly_errors
def disable(env: Env, name: str, enable: bool) -> None:
    """Switch an account off (or on again with --enable); history stays.

    Example:

        newsdesk users disable wangli
    """
    store.accounts.update_user(env.db(), name, active=enable)
    click.echo(f"user '{name}' {'enabled' if enable else 'disabled'}")
