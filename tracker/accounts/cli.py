"""`flask --app wsgi users create-admin USERNAME`: the first administrator of a new instance.

A production instance starts without accounts (`seed --demo` refuses to run there), so the
operator creates the first admin on the server's command line. The password is typed twice
(or read from TRACKER_ADMIN_PASSWORD for unattended installs) and must pass the same strength
rules as every other password; the command is recorded in the audit log.
"""

import os

import click
from flask import Flask
from flask_babel import force_locale
from sqlalchemy import select

from tracker.accounts.models import Role, User
from tracker.accounts.services import password_errors
from tracker.audit import record
from tracker.database import writing
from tracker.extensions import db


def create_admin(username: str, display_name: str, password: str) -> User:
    """Create an active admin account (flushed). Raises click.ClickException when the name is
    taken or the password is refused, writing nothing."""
    username = username.strip()
    if not username:
        raise click.ClickException("the user name is empty")
    if db.session.scalar(select(User.id).where(User.username == username)) is not None:
        raise click.ClickException(f"a user named {username!r} exists already")
    problems = password_errors(password, username, display_name)
    if problems:
        raise click.ClickException("password refused: " + "; ".join(problems))
    user = User(username=username, display_name=display_name or username, password_hash="")
    user.role = Role.ADMIN.value
    user.active = True
    user.set_password(password)
    db.session.add(user)
    db.session.flush()
    record("user.created", user, detail={"role": Role.ADMIN.value, "via": "command line"})
    db.session.flush()
    return user


def register_accounts_cli(app: Flask) -> None:
    users = click.Group("users", help="User accounts.")
    app.cli.add_command(users)

    @users.command("create-admin")
    @click.argument("username")
    @click.option("--name", "display_name", default="", help="The name shown in the app.")
    def create_admin_command(username: str, display_name: str) -> None:
        """Create an administrator (the first account of a new instance)."""
        password = os.environ.get("TRACKER_ADMIN_PASSWORD") or click.prompt(
            "Password", hide_input=True, confirmation_prompt=True
        )
        # messages in Chinese, the operator's language (there is no request to choose one)
        with writing(), force_locale("zh_CN"):
            try:
                create_admin(username, display_name, password)
            except click.ClickException:
                db.session.rollback()
                raise
            db.session.commit()
        click.echo(f"admin {username} created")
