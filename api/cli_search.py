"""``knowbase search "…"``: in this process, or through the running server that owns the data dir."""

from __future__ import annotations

import argparse
import json

from api.cli_ingest import local_principal, running_server, server_client
from core.settings import Settings


def add_command(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    command = sub.add_parser("search", help="search the knowledge base")
    command.add_argument("query")
    command.add_argument("--top-k", type=int, default=8)
    command.add_argument("--collection", default=None)
    command.add_argument("--mode", choices=["hybrid", "dense", "lexical"], default=None)
    command.add_argument("--key", default=None, help="API key for a running server (default: a temporary admin key)")
    command.add_argument("--json", action="store_true")
    command.set_defaults(handler=run_search)


def run_search(args: argparse.Namespace, settings: Settings) -> int:
    body = {"query": args.query, "top_k": args.top_k, "collection": args.collection, "mode": args.mode}
    url = running_server(settings)
    if url:
        with server_client(url, settings, args.key) as client:
            response = client.post("/v1/search", json=body)
        if response.status_code != 200:
            print(f"knowbase: {response.json()['error']['message']}")
            return 1
        results = response.json()["results"]
    else:
        from api.routes.search import SearchResult
        from api.wiring import build_services

        services = build_services(settings)
        services.bootstrap()
        try:
            service = services.retrieval.get()
            options = service.options(top_k=args.top_k, mode=args.mode)
            hits = service.search(local_principal(services), args.query, collection=args.collection, options=options)
            results = [SearchResult.model_validate(h, from_attributes=True).model_dump() for h in hits]
        finally:
            services.close()
    if args.json:
        print(json.dumps({"results": results}, ensure_ascii=False))
        return 0
    if not results:
        print("no results")
    for rank, hit in enumerate(results, 1):
        where = f"p. {hit['page']}" if hit["page"] else (hit["heading"] or "")
        print(f"{rank:2}. [{hit['score']:.3f}] {hit['title']} — {hit['source']} {where}")
        snippet = " ".join(hit["text"].split())
        print(f"    {snippet[:240]}{'…' if len(snippet) > 240 else ''}")
    return 0
