"""``knowbase ingest PATH...``: in this process, or handed to the running server that owns the data dir."""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import httpx

from api.progress import ProgressBar
from core.errors import KnowbaseError, ProviderError
from core.settings import Settings

if TYPE_CHECKING:  # the wiring imports the heavy components; commands import it when they run
    from api.wiring import Services
    from core.types import Principal

SERVER_INFO = "server.json"
CLI_USER = "knowbase-cli"


@dataclass
class FileOutcome:
    path: Path
    status: str  # ready | failed | duplicate
    chunks: int = 0
    reason: str = ""


def add_command(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    ingest = sub.add_parser("ingest", help="ingest files and folders (recursively)")
    ingest.add_argument("paths", nargs="+", type=Path)
    ingest.add_argument("--collection", default="default")
    ingest.add_argument(
        "--key", default=None, help="API key to use with a running server (default: a temporary admin key)"
    )
    ingest.add_argument("--json", action="store_true", help="print the summary as JSON")
    ingest.set_defaults(handler=run_ingest)


def collect_files(paths: list[Path]) -> list[Path]:
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files.extend(
                p
                for p in sorted(path.rglob("*"))
                if p.is_file() and not any(part.startswith(".") for part in p.relative_to(path).parts)
            )
        elif path.is_file():
            files.append(path)
        else:
            raise KnowbaseError(f"{path} does not exist")
    return files


def running_server(settings: Settings) -> str | None:
    """URL of a live knowbase server on this data dir, if any."""
    info_path = settings.data_dir / SERVER_INFO
    try:
        info = json.loads(info_path.read_text())
        os.kill(int(info["pid"]), 0)
        if httpx.get(info["url"] + "/healthz", timeout=3).status_code == 200:
            return str(info["url"])
    except (OSError, ValueError, KeyError, httpx.HTTPError):
        return None
    return None


def write_server_info(settings: Settings) -> Path:
    path = settings.data_dir / SERVER_INFO
    host = "127.0.0.1" if settings.host in ("0.0.0.0", "::") else settings.host
    path.write_text(json.dumps({"url": f"http://{host}:{settings.port}", "pid": os.getpid()}))
    return path


def run_ingest(args: argparse.Namespace, settings: Settings) -> int:
    files = collect_files(args.paths)
    if not files:
        print("knowbase: no files found")
        return 1
    url = running_server(settings)
    if url:
        print(f"a knowbase server is running on this data dir ({url}); handing the files to it", flush=True)
        outcomes = _ingest_via_server(url, files, args.collection, args.key, settings)
    else:
        print(f"ingesting {len(files)} files in this process (data dir {settings.data_dir})", flush=True)
        try:
            outcomes = _ingest_locally(files, args.collection, settings)
        except ProviderError as error:
            print(f"knowbase: {error.message}")
            return 1
    return _report(outcomes, args.json)


def local_principal(services: Services) -> Principal:
    """The CLI acts as an admin user of its own: whoever can run it can read the data dir anyway."""
    from core.metadata import accounts
    from core.types import Role

    with services.db.session() as session:
        try:
            user = accounts.get_user(session=session, name=CLI_USER)
        except KnowbaseError:
            accounts.create_user(session=session, name=CLI_USER, role=Role.admin)
            user = accounts.get_user(session=session, name=CLI_USER)
        return accounts.principal_for(user)


def submit_file(
    services: Services, principal: Principal, path: Path, collection: str, title: str | None = None
) -> FileOutcome | str:
    """Queue one file as the REST upload does; returns the document id, or the outcome when final."""
    tmp_dir = services.settings.data_dir / "tmp"
    tmp_dir.mkdir(parents=True, exist_ok=True)
    temp = Path(tempfile.mkstemp(dir=tmp_dir)[1])
    shutil.copyfile(path, temp)
    digest = hashlib.sha256(temp.read_bytes()).hexdigest()
    try:
        with services.db.session() as session:
            result = services.documents.submit(
                session=session,
                principal=principal,
                temp_path=temp,
                source_name=path.name,
                sha256=digest,
                size=path.stat().st_size,
                collection=collection,
                title=title,
            )
    except KnowbaseError as error:
        temp.unlink(missing_ok=True)
        return FileOutcome(path, "failed", reason=error.message)
    document = result.document
    if result.duplicate:
        return FileOutcome(path, "duplicate", document.chunks, result.message)
    if document.status == "failed":
        return FileOutcome(path, "failed", reason=document.error or "failed")
    return document.id


def _ingest_locally(files: list[Path], collection: str, settings: Settings) -> list[FileOutcome]:
    from api.wiring import build_services

    services = build_services(settings)
    services.bootstrap()
    services.vector_store.get()  # take the data dir lock before doing any work
    principal = local_principal(services)
    outcomes: dict[str, FileOutcome] = {}
    pending: dict[str, FileOutcome] = {}
    try:
        bar = ProgressBar(len(files), "upload ")
        for number, path in enumerate(files, 1):
            bar.update(number, path.name[:40])
            submitted = submit_file(services, principal, path, collection)
            if isinstance(submitted, FileOutcome):
                outcomes[str(path)] = submitted
            else:
                pending[submitted] = FileOutcome(path, "queued")
        bar.close()
        if pending:
            bar = ProgressBar(len(pending), "ingest ")
            finished = 0

            def on_result(result) -> None:  # type: ignore[no-untyped-def]
                nonlocal finished
                outcome = pending.get(result.document_id)
                if outcome is None:
                    return
                finished += 1
                outcome.status = result.status
                outcome.reason = result.error or ""
                outcome.chunks = result.outcome.chunk_count if result.outcome else 0
                bar.update(finished, outcome.path.name[:40])

            def on_progress(document_id: str, done: int, total: int) -> None:
                outcome = pending.get(document_id)
                if outcome is not None:
                    bar.update(finished, f"{outcome.path.name[:30]} chunks {done}/{total}")

            services.worker.run_until_empty(on_result=on_result, on_progress=on_progress)
            bar.close()
    finally:
        services.close()
    for outcome in pending.values():
        outcomes[str(outcome.path)] = outcome
    return [outcomes[str(p)] for p in files if str(p) in outcomes]


@contextmanager
def server_client(url: str, settings: Settings, key: str | None = None) -> Iterator[httpx.Client]:
    """An HTTP client for the running server; without ``key``, a temporary admin key revoked afterwards."""
    from api.wiring import build_services
    from core.metadata import accounts
    from core.types import Role

    temporary_key_id = None
    db = build_services(settings).db
    if key is None:
        with db.session() as session:
            created = accounts.create_key(
                session=session, user=CLI_USER, role=Role.admin, name="knowbase CLI (temporary)"
            )
        key, temporary_key_id = created.key, created.id
    try:
        with httpx.Client(base_url=url, headers={"Authorization": f"Bearer {key}"}, timeout=120) as client:
            yield client
    finally:
        if temporary_key_id:
            with db.session() as session:
                accounts.revoke_key(session=session, key_id=temporary_key_id)


def _ingest_via_server(
    url: str, files: list[Path], collection: str, key: str | None, settings: Settings
) -> list[FileOutcome]:
    outcomes: dict[str, FileOutcome] = {}
    pending: dict[str, FileOutcome] = {}
    with server_client(url, settings, key) as client:
        bar = ProgressBar(len(files), "upload ")
        for number, path in enumerate(files, 1):
            bar.update(number, path.name[:40])
            with path.open("rb") as handle:
                response = client.post(
                    "/v1/documents", files={"file": (path.name, handle)}, data={"collection": collection}
                )
            body = response.json()
            if response.status_code >= 400:
                outcomes[str(path)] = FileOutcome(path, "failed", reason=body["error"]["message"])
            elif body["duplicate"]:
                outcomes[str(path)] = FileOutcome(path, "duplicate", body["document"]["chunks"], body["message"])
            elif body["document"]["status"] == "failed":
                outcomes[str(path)] = FileOutcome(path, "failed", reason=body["document"]["error"])
            else:
                pending[body["document"]["id"]] = FileOutcome(path, "queued")
        bar.close()
        bar = ProgressBar(len(pending), "ingest ")
        waiting = dict(pending)
        while waiting:
            for document_id in list(waiting):
                document = client.get(f"/v1/documents/{document_id}").json()
                if document.get("status") in ("ready", "failed"):
                    outcome = waiting.pop(document_id)
                    outcome.status, outcome.chunks = document["status"], document["chunks"]
                    outcome.reason = document.get("error") or ""
                elif "progress" in document:
                    p = document["progress"]
                    bar.update(
                        len(pending) - len(waiting), f"{document['source'][:30]} chunks {p['done']}/{p['total']}"
                    )
            bar.update(len(pending) - len(waiting))
            if waiting:
                time.sleep(1)
        bar.close()
    for outcome in pending.values():
        outcomes[str(outcome.path)] = outcome
    return [outcomes[str(p)] for p in files if str(p) in outcomes]


def _report(outcomes: list[FileOutcome], as_json: bool) -> int:
    failed = [o for o in outcomes if o.status == "failed"]
    if as_json:
        print(
            json.dumps(
                [{"file": str(o.path), "status": o.status, "chunks": o.chunks, "reason": o.reason} for o in outcomes],
                ensure_ascii=False,
            )
        )
    else:
        counts = {s: sum(o.status == s for o in outcomes) for s in ("ready", "failed", "duplicate")}
        print(f"\n{'status':10} {'chunks':>6}  file / reason")
        for o in outcomes:
            line = f"{o.status:10} {o.chunks:>6}  {o.path}"
            if o.reason and o.status != "ready":
                line += f"\n{'':18}{o.reason}"
            print(line)
        print(f"\nready: {counts['ready']}  failed: {counts['failed']}  skipped duplicates: {counts['duplicate']}")
    return 1 if failed else 0
