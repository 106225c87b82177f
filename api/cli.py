"""The ``knowbase`` command line."""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable, Sequence
from typing import Any

from pydantic import ValidationError

from core.errors import KnowbaseError
from core.settings import Settings, describe_validation_error, load_settings
from core.types import Role

Command = Callable[[argparse.Namespace, Settings], int]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="knowbase", description="Self-hosted knowledge base server.")
    sub = parser.add_subparsers(dest="command", required=True)

    serve = sub.add_parser("serve", help="run the HTTP server")
    serve.add_argument("--host", help="bind address (default KNOWBASE_HOST or 127.0.0.1)")
    serve.add_argument("--port", type=int, help="port (default KNOWBASE_PORT or 8000)")
    serve.add_argument(
        "--workers",
        type=int,
        default=1,
        choices=range(1, 65),
        metavar="N",
        help="API processes (1-64; more than 1 needs KNOWBASE_QDRANT_URL)",
    )
    serve.add_argument(
        "--no-worker", action="store_true", help="serve only; 'knowbase worker' processes ingest the uploads"
    )
    serve.set_defaults(handler=_serve)

    keys = sub.add_parser("keys", help="manage API keys").add_subparsers(dest="keys_command", required=True)
    create = keys.add_parser("create", help="create a key (and the user, if new); prints it once")
    create.add_argument("--user", required=True)
    create.add_argument("--role", choices=[r.value for r in Role])
    create.add_argument("--groups", default=None, help="comma-separated groups for the user")
    create.add_argument("--name", default="", help="a label for the key")
    create.add_argument("--budget", type=int, default=None, help="monthly token budget for the key")
    create.add_argument("--rpm", type=int, default=None, help="requests per minute (default: no limit)")
    create.add_argument("--tpm", type=int, default=None, help="tokens per minute (default: no limit)")
    create.add_argument("--json", action="store_true")
    create.set_defaults(handler=_keys_create)
    listing = keys.add_parser("list", help="list keys (never shows the keys themselves)")
    listing.add_argument("--json", action="store_true")
    listing.set_defaults(handler=_keys_list)
    limits = keys.add_parser("limits", help="set a key's per-minute limits (leave one out: no limit)")
    limits.add_argument("key_id")
    limits.add_argument("--rpm", type=int, default=None, help="requests per minute")
    limits.add_argument("--tpm", type=int, default=None, help="tokens per minute")
    limits.set_defaults(handler=_keys_limits)
    revoke = keys.add_parser("revoke", help="revoke a key by id or prefix")
    revoke.add_argument("key_id")
    revoke.set_defaults(handler=_keys_revoke)
    generate = keys.add_parser("generate", help="print a fresh random key (for KNOWBASE_ADMIN_KEY)")
    generate.set_defaults(handler=_keys_generate)
    from api import (
        cli_ask,
        cli_db,
        cli_eval,
        cli_ingest,
        cli_mcp,
        cli_moderation,
        cli_search,
        cli_users,
        cli_worker,
    )

    cli_ingest.add_command(sub)
    cli_search.add_command(sub)
    cli_ask.add_command(sub)
    cli_users.add_command(sub)
    cli_eval.add_command(sub)
    from api import cli_eval_answers

    cli_eval_answers.add_command(sub)
    cli_mcp.add_command(sub)
    cli_moderation.add_command(sub)
    cli_db.add_command(sub)
    cli_worker.add_command(sub)
    return parser


def _serve(args: argparse.Namespace, settings: Settings) -> int:
    import uvicorn

    from api.app import create_app
    from api.wiring import build_services
    from core.logging import configure_logging

    if args.host:
        settings = settings.model_copy(update={"host": args.host})
    if args.port:
        settings = settings.model_copy(update={"port": args.port})
    if (args.workers > 1 or args.no_worker) and not settings.qdrant_url:
        raise KnowbaseError(
            "--workers and --no-worker need a Qdrant server (KNOWBASE_QDRANT_URL): the embedded vector store "
            "admits one process, which serves and ingests"
        )
    if args.no_worker:
        settings = settings.model_copy(update={"ingest_in_server": False})
    configure_logging(settings.log_level, settings.log_json)
    services = build_services(settings)
    result = services.bootstrap()
    if result.generated_admin_key:
        # Printed once, to the terminal only; the database keeps a hash.
        print(
            "\n  First start: an admin API key was generated. It is shown only this once:\n\n"
            f"      {result.generated_admin_key}\n\n"
            "  Use it as 'Authorization: Bearer <key>'. Create more with 'knowbase keys create'.\n"
            "  To sign in to the web UI as 'admin', set a password: knowbase users set-password admin\n",
            flush=True,
        )
    from api.cli_ingest import write_server_info

    info = write_server_info(settings)  # lets `knowbase ingest` hand files to this server
    print(f"knowbase serving on http://{settings.host}:{settings.port} (data in {settings.data_dir})", flush=True)
    # proxy_headers off: X-Forwarded-* are read by knowbase itself, only from KNOWBASE_TRUSTED_PROXIES.
    options: dict[str, Any] = dict(
        host=settings.host, port=settings.port, log_config=None, access_log=False, proxy_headers=False
    )
    try:
        if args.workers == 1:
            uvicorn.run(create_app(settings, services), **options)
        else:
            services.close()
            # Each API process builds its own app from the same environment (the app factory).
            os.environ["KNOWBASE_INGEST_IN_SERVER"] = "true" if settings.ingest_in_server else "false"
            uvicorn.run("api.app:create_app_from_environment", factory=True, workers=args.workers, **options)
    finally:
        info.unlink(missing_ok=True)
    return 0


def _db(settings: Settings):  # type: ignore[no-untyped-def]
    from api.wiring import open_database

    return open_database(settings)


def _check_limits(args: argparse.Namespace) -> None:
    for flag, value in (("--rpm", args.rpm), ("--tpm", args.tpm)):
        if value is not None and value <= 0:
            raise KnowbaseError(f"{flag} must be a positive number")


def _keys_limits(args: argparse.Namespace, settings: Settings) -> int:
    from core.metadata import accounts

    _check_limits(args)
    with _db(settings).session() as session:
        key = accounts.set_key_limits(
            session=session, key_id=args.key_id, requests_per_minute=args.rpm, tokens_per_minute=args.tpm
        )
    rpm = key.requests_per_minute or "no limit"
    tpm = key.tokens_per_minute or "no limit"
    print(f"key {key.id}: {rpm} requests/min, {tpm} tokens/min")
    return 0


def _keys_create(args: argparse.Namespace, settings: Settings) -> int:
    from core.metadata import accounts

    groups = [g for g in args.groups.split(",")] if args.groups is not None else None
    _check_limits(args)
    with _db(settings).session() as session:
        created = accounts.create_key(
            session=session,
            user=args.user,
            role=Role(args.role) if args.role else None,
            groups=groups,
            name=args.name,
            monthly_token_budget=args.budget,
            requests_per_minute=args.rpm,
            tokens_per_minute=args.tpm,
        )
    if args.json:
        print(created.model_dump_json())
    else:
        print(f"created key {created.id} for user '{created.user}' (role {created.role.value})")
        print("store it now; it will not be shown again:")
        print(created.key)
    return 0


def _keys_list(args: argparse.Namespace, settings: Settings) -> int:
    from core.metadata import accounts

    with _db(settings).session() as session:
        keys = accounts.list_keys(session=session)
    if args.json:
        print(json.dumps([k.model_dump(mode="json") for k in keys], ensure_ascii=False))
        return 0
    print(f"{'id':32}  {'prefix':10}  {'user':16}  {'role':7}  {'status':8}  name")
    for k in keys:
        status = "revoked" if k.revoked_at else "active"
        print(f"{k.id:32}  {k.prefix:10}  {k.user:16}  {k.role.value:7}  {status:8}  {k.name}")
    return 0


def _keys_revoke(args: argparse.Namespace, settings: Settings) -> int:
    from core.metadata import accounts

    with _db(settings).session() as session:
        key = accounts.revoke_key(session=session, key_id=args.key_id)
    print(f"revoked key {key.id} ({key.prefix}…) of user '{key.user}'")
    return 0


def _keys_generate(_args: argparse.Namespace, _settings: Settings) -> int:
    from core.security import generate_api_key

    print(generate_api_key())
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        settings = load_settings()
    except ValidationError as error:
        print(f"knowbase: {describe_validation_error(error)}", file=sys.stderr)
        return 2
    if args.handler is not _serve:
        from core.logging import configure_logging

        # The CLI reports outcomes itself; only errors belong on the terminal.
        configure_logging("error", json_lines=False)
    try:
        status: int = args.handler(args, settings)
        return status
    except KnowbaseError as error:
        print(f"knowbase: {error.message}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
