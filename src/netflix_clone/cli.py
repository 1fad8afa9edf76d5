"""`netflix-clone` command: migrate the database, create an admin, run the dev server."""

from __future__ import annotations

import argparse
import getpass
import sys
from pathlib import Path

from flask import Flask

from netflix_clone.settings import ConfigError


def _app() -> Flask:
    from netflix_clone.app import create_app

    return create_app()


def cmd_migrate(_: argparse.Namespace) -> int:
    from flask_migrate import upgrade

    from netflix_clone.app import MIGRATIONS_DIR

    app = _app()
    with app.app_context():
        upgrade(directory=str(MIGRATIONS_DIR))
    print("database is at the latest migration")  # noqa: T201
    return 0


def cmd_create_admin(args: argparse.Namespace) -> int:
    from netflix_clone.accounts.service import create_or_promote_admin
    from netflix_clone.db import commit
    from netflix_clone.exceptions import DomainError

    if args.password_file:
        password: str | None = Path(args.password_file).read_text().strip()
    elif sys.stdin.isatty():
        password = getpass.getpass("Password (empty to keep an existing account's): ") or None
    else:
        password = sys.stdin.readline().strip() or None
    app = _app()
    with app.app_context():
        try:
            user = create_or_promote_admin(args.email, password, args.display_name)
            commit()
        except DomainError as exc:
            print(f"error: {exc.describe()}", file=sys.stderr)  # noqa: T201
            return 1
        print(f"admin {user.email} has id {user.id}")  # noqa: T201
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="netflix-clone")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("migrate", help="apply database migrations").set_defaults(func=cmd_migrate)
    admin = sub.add_parser("create-admin", help="create an admin, or promote an existing member")
    admin.add_argument("--email", required=True)
    admin.add_argument("--display-name", default="Admin")
    admin.add_argument("--password-file", help="read the password from this file (else stdin)")
    admin.set_defaults(func=cmd_create_admin)
    args = parser.parse_args(argv)
    try:
        return int(args.func(args))
    except ConfigError as exc:
        print(exc, file=sys.stderr)  # noqa: T201
        return 2


if __name__ == "__main__":
    raise SystemExit(main())
