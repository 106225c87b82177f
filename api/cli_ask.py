"""``knowbase ask "…"``: one cited answer, in this process or through the running server."""

from __future__ import annotations

import argparse
import json

from api.cli_ingest import local_principal, running_server, server_client
from core.settings import Settings


def add_command(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    command = sub.add_parser("ask", help="ask a question; the answer cites its sources")
    command.add_argument("question")
    command.add_argument("--collection", default=None)
    command.add_argument("--key", default=None, help="API key for a running server (default: a temporary admin key)")
    command.add_argument("--json", action="store_true")
    command.set_defaults(handler=run_ask)


def run_ask(args: argparse.Namespace, settings: Settings) -> int:
    url = running_server(settings)
    if url:
        with server_client(url, settings, args.key) as client:
            response = client.post("/v1/chat", json={"message": args.question, "collection": args.collection})
        if response.status_code != 200:
            print(f"knowbase: {response.json()['error']['message']}")
            return 1
        result = response.json()
    else:
        from api.wiring import build_services

        services = build_services(settings)
        services.bootstrap()
        try:
            result = (
                services.chat.get()
                .answer(local_principal(services), args.question, collection=args.collection)
                .model_dump(mode="json")
            )
        finally:
            services.close()
    if args.json:
        print(json.dumps(result, ensure_ascii=False))
        return 0
    print(result["answer"])
    if result["citations"]:
        print()
        for citation in result["citations"]:
            page = f", p. {citation['page']}" if citation["page"] else ""
            attributed = " (attributed by the server)" if citation.get("attributed") else ""
            print(
                f"[{citation['n']}] {citation['title']} ({citation['source']}{page}): “{citation['quote']}”{attributed}"
            )
    if result.get("unsupported_claims"):
        print("\nNot supported by the sources:")
        for claim in result["unsupported_claims"]:
            print(f"- {claim}")
    note = {
        "extractive": "answered from the documents without a language model",
        "blocked": "blocked by the content policy",
    }.get(result["mode"])
    if note:
        print(f"\n({note})")
    return 0
