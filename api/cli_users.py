"""``knowbase users …``: accounts for the web UI (API keys are ``knowbase keys …``)."""

from __future__ import annotations

import argparse
import getpass
import json
import sys

from core.errors import InvalidInput
from core.settings import Settings
from core.types import Role


def add_command(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    users = sub.add_parser("users", help="manage users and their web UI passwords").add_subparsers(
        dest="users_command", required=True
    )
    create = users.add_parser("create", help="create a user (asks for a password)")
    create.add_argument("name")
    create.add_argument("--role", choices=[r.value for r in Role], default="reader")
    create.add_argument("--groups", default="", help="comma-separated groups")
    create.add_argument("--no-password", action="store_true", help="API keys only, no web sign-in")
    create.set_defaults(handler=_create)
    password = users.add_parser("set-password", help="set a user's web UI password (asks for it)")
    password.add_argument("name")
    password.set_defaults(handler=_set_password)
    listing = users.add_parser("list", help="list users")
    listing.set_defaults(handler=_list)


def _read_password() -> str:
    """From the terminal (twice), or one line of standard input when it is not a terminal."""
    if not sys.stdin.isatty():
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = getpass.getpass("password (8+ characters): ")
        if getpass.getpass("again: ") != password:
            raise InvalidInput("the two passwords differ")
    if len(password) < 8:
        raise InvalidInput("the password must have at least 8 characters")
    return password


def _db(settings: Settings):  # type: ignore[no-untyped-def]
    from api.wiring import open_database

    return open_database(settings)


def _create(args: argparse.Namespace, settings: Settings) -> int:
    from core.metadata import accounts

    password = None if args.no_password else _read_password()
    with _db(settings).session() as session:
        user = accounts.create_user(
            session=session,
            name=args.name,
            role=Role(args.role),
            groups=[g for g in args.groups.split(",") if g],
            password=password,
        )
    print(f"created user '{user.name}' ({user.role.value}){' who can sign in to the web UI' if password else ''}")
    return 0


def _set_password(args: argparse.Namespace, settings: Settings) -> int:
    from core.metadata import accounts

    password = _read_password()
    with _db(settings).session() as session:
        accounts.update_user(session=session, name=args.name, password=password)
    print(f"password set for '{args.name}'")
    return 0


def _list(_args: argparse.Namespace, settings: Settings) -> int:
    from core.metadata import accounts

    with _db(settings).session() as session:
        users = accounts.list_users(session=session)
    for user in users:
        print(
            json.dumps(
                {
                    "name": user.name,
                    "role": user.role.value,
                    "groups": user.groups,
                    "web_sign_in": user.has_password,
                    "disabled": user.disabled,
                }
            )
        )
    return 0
