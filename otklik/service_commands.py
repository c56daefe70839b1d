"""`otklik serve` (the HTTP service under uvicorn) and `otklik keys` (its API keys)."""

from __future__ import annotations

import argparse
import sys

from sqlalchemy.orm import Session

from api.db import make_engine, make_sessions, migrate
from api.keys import Role, create_key, list_keys, revoke_key
from api.settings import ApiSettings
from assistant.config import Settings
from assistant.errors import InputError

WORKER_STARTUP_S = 180
ONE_PROCESS = (
    "embedded Chroma is safe for one process only: --workers {workers} needs a Chroma server "
    "(`chroma run --path DIR`, then set OTKLIK_CHROMA_HOST and OTKLIK_CHROMA_PORT); or use --workers 1"
)


def add_service_parsers(commands: argparse._SubParsersAction) -> None:
    serve = commands.add_parser("serve", help="run the HTTP service (OpenAPI docs at /docs)")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--workers", type=int, default=1, help="more than 1 needs OTKLIK_CHROMA_HOST")
    serve.set_defaults(handler=cmd_serve)

    keys = commands.add_parser("keys", help="create, list and revoke the service's API keys")
    nested = keys.add_subparsers(dest="keys_command", metavar="create|list|revoke", required=True)
    create = nested.add_parser("create", help="a new key, printed once (only its hash is stored)")
    create.add_argument("--role", required=True, choices=[role.value for role in Role])
    create.add_argument("--brand", action="append", default=[], help="a brand the key may touch (repeatable)")
    create.add_argument("--label", help="whose key this is")
    create.set_defaults(handler=cmd_keys_create)
    nested.add_parser("list", help="keys with their roles and brands").set_defaults(handler=cmd_keys_list)
    revoke = nested.add_parser("revoke", help="revoke a key at once")
    revoke.add_argument("key_id")
    revoke.set_defaults(handler=cmd_keys_revoke)


def cmd_serve(args: argparse.Namespace, settings: Settings) -> int:
    if args.workers > 1 and not settings.chroma_host:
        raise InputError(ONE_PROCESS.format(workers=args.workers))
    import uvicorn

    if args.workers > 1:
        uvicorn.run(
            "api.main:create_app_from_env",
            factory=True,
            host=args.host,
            port=args.port,
            workers=args.workers,
            # a worker loads the classifier and the embedder before it answers uvicorn's health
            # pings: with the default 5 s it is killed and restarted over and over on a busy machine
            timeout_worker_healthcheck=WORKER_STARTUP_S,
        )
        return 0
    from api.main import create_app

    print("otklik: loading the knowledge store and the classifier…", file=sys.stderr)
    uvicorn.run(create_app(settings), host=args.host, port=args.port)
    return 0


def cmd_keys_create(args: argparse.Namespace, settings: Settings) -> int:
    with open_session(settings) as db:
        row, secret = create_key(db, Role(args.role), args.brand, args.label)
    print(secret)
    brands = ", ".join(row.brands) or "every brand"
    print(f"key {row.id}: role {row.role}, {brands}. Shown once: only its hash is stored.", file=sys.stderr)
    return 0


def cmd_keys_list(args: argparse.Namespace, settings: Settings) -> int:
    with open_session(settings) as db:
        for row in list_keys(db):
            state = f"revoked {row.revoked_at:%Y-%m-%d %H:%M}" if row.revoked_at else "active"
            print(f"{row.id}  {row.role:<11} {','.join(row.brands) or '*':<28} {state}  {row.label or ''}".rstrip())
    return 0


def cmd_keys_revoke(args: argparse.Namespace, settings: Settings) -> int:
    with open_session(settings) as db:
        row = revoke_key(db, args.key_id)
    print(f"key {row.id} revoked")
    return 0


def open_session(settings: Settings) -> Session:
    """A session on the service's database (OTKLIK_DATABASE_URL or the data dir's SQLite), migrated."""
    engine = make_engine(ApiSettings().url(settings.data_dir))
    migrate(engine)
    return make_sessions(engine)()
