"""OpenAI's Files, vector stores, vector store files and file batches, driven by the official
openai SDK against a running knowbase: uploads, pagination, create_and_poll / upload_and_poll,
status filters, per-file chunking, attributes reaching the stored chunks at once, cancellation,
unsupported files, 400s in OpenAI's shape, and another group's key seeing nothing."""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import openai
import pytest
from openai import OpenAI

from tests.api.openai_kb import Knowbase, running_knowbase
from tests.api.test_chat import HANDBOOK
from tests.conftest import bearer

pytestmark = pytest.mark.integration

POLICY = (
    "# Travel policy\n\nBlue team members book trains for trips under 600 kilometres.\n\n"
    "## Hotels\n\nHotels are booked through the travel desk at most 30 days ahead.\n"
)
LONG = "\n\n".join(
    f"## Section {n}\n\n"
    + " ".join(f"Rule {n}.{k}: expenses of kind {k} need receipt number {n}{k}." for k in range(12))
    for n in range(8)
)


@dataclass
class Setup:
    kb: Knowbase
    editor: OpenAI  # group staff
    outsider: OpenAI  # group finance, an editor too


def editor_for(kb: Knowbase, user: str, groups: list[str]) -> OpenAI:
    body = {"user": user, "role": "editor", "groups": groups}
    key = httpx.post(f"{kb.url}/v1/admin/keys", json=body, headers=bearer(kb.admin_key)).json()["key"]
    return OpenAI(base_url=kb.url + "/v1", api_key=key, max_retries=0)


@pytest.fixture(scope="module")
def setup(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Setup]:
    for kb in running_knowbase(tmp_path_factory.mktemp("openai_files")):
        yield Setup(kb, editor_for(kb, "erin", ["staff"]), editor_for(kb, "fred", ["finance"]))


def upload(client: OpenAI, name: str, data: bytes, purpose: str = "assistants") -> str:
    return client.files.create(file=(name, io.BytesIO(data)), purpose=purpose).id  # type: ignore[arg-type]


def test_files_upload_list_page_retrieve_content_delete(setup: Setup) -> None:
    editor = setup.editor
    created = editor.files.create(file=("policy.md", io.BytesIO(POLICY.encode())), purpose="assistants")
    assert created.id.startswith("file-") and created.object == "file" and created.purpose == "assistants"
    assert created.bytes == len(POLICY.encode()) and created.filename == "policy.md" and created.status == "processed"
    expiring = editor.files.create(
        file=("notes.txt", io.BytesIO(b"Short notes.")),
        purpose="user_data",
        expires_after={"anchor": "created_at", "seconds": 3600},
    )
    assert expiring.expires_at == expiring.created_at + 3600
    third = upload(editor, "third.txt", b"A third file.")

    first_page = editor.files.list(limit=2, order="asc")
    assert [f.id for f in first_page.data] == [created.id, expiring.id] and first_page.has_more
    everything = [f.id for f in editor.files.list(limit=1, order="asc")]  # the SDK follows the cursor
    assert everything == [created.id, expiring.id, third]
    assert [f.id for f in editor.files.list(purpose="user_data")] == [expiring.id]
    assert [f.id for f in editor.files.list()][0] == third  # newest first by default

    assert editor.files.retrieve(created.id).filename == "policy.md"
    assert editor.files.content(created.id).content == POLICY.encode()

    # Files belong to their uploader: another user gets 404 and does not see them listed.
    with pytest.raises(openai.NotFoundError) as missing:
        setup.outsider.files.retrieve(created.id)
    assert missing.value.body["type"] == "not_found_error"  # type: ignore[index]
    with pytest.raises(openai.NotFoundError):
        setup.outsider.files.content(created.id)
    with pytest.raises(openai.NotFoundError):
        setup.outsider.files.delete(created.id)
    assert created.id not in [f.id for f in setup.outsider.files.list()]
    assert created.id in [f.id for f in setup.kb.admin.files.list()]  # admins see every file

    deleted = editor.files.delete(third)
    assert deleted.deleted and deleted.id == third
    with pytest.raises(openai.NotFoundError):
        editor.files.retrieve(third)


def test_upload_errors_are_openai_400s(setup: Setup) -> None:
    with pytest.raises(openai.BadRequestError) as bad:
        setup.editor.files.create(file=("a.txt", io.BytesIO(b"x")), purpose="nonsense")  # type: ignore[arg-type]
    assert bad.value.body["param"] == "purpose" and bad.value.body["type"] == "invalid_request_error"  # type: ignore[index]
    with pytest.raises(openai.BadRequestError):
        setup.editor.files.create(
            file=("a.txt", io.BytesIO(b"x")), purpose="assistants", expires_after={"anchor": "created_at", "seconds": 5}
        )


def test_store_lifecycle_with_polling_pagination_and_status_filter(setup: Setup) -> None:
    editor = setup.editor
    policy = upload(editor, "travel.md", POLICY.encode())
    static: Any = {"type": "static", "static": {"max_chunk_size_tokens": 200, "chunk_overlap_tokens": 20}}
    store = editor.vector_stores.create(
        name="Travel policies", metadata={"owner": "ops"}, file_ids=[policy], chunking_strategy=static
    )
    assert store.id.startswith("vs_") and store.object == "vector_store" and store.name == "Travel policies"
    assert store.metadata == {"owner": "ops"} and store.file_counts.total == 1

    added = editor.vector_stores.files.upload_and_poll(
        vector_store_id=store.id, file=("long.md", io.BytesIO(LONG.encode()))
    )
    assert added.status == "completed" and added.last_error is None and added.vector_store_id == store.id
    first = editor.vector_stores.files.poll(policy, vector_store_id=store.id)
    assert first.status == "completed" and first.usage_bytes == len(POLICY.encode())
    assert first.chunking_strategy and first.chunking_strategy.static.max_chunk_size_tokens == 200  # type: ignore[union-attr]
    assert added.chunking_strategy and added.chunking_strategy.static.max_chunk_size_tokens == 350  # type: ignore[union-attr]

    raw = editor.vector_stores.files.with_raw_response.retrieve(policy, vector_store_id=store.id)
    assert raw.headers["openai-poll-after-ms"] == "250"  # what the SDK's pollers wait
    found = editor.vector_stores.search(store.id, query="Which trips go by train?", max_num_results=1)
    assert found.data[0].file_id == policy and found.data[0].filename == "travel.md"

    live = editor.vector_stores.retrieve(store.id)
    assert live.status == "completed" and live.file_counts.completed == 2 and live.file_counts.total == 2
    assert live.usage_bytes == len(POLICY.encode()) + len(LONG.encode())

    ids = [f.id for f in editor.vector_stores.files.list(vector_store_id=store.id, limit=1, order="asc")]
    assert ids == [policy, added.id]
    assert [f.id for f in editor.vector_stores.files.list(vector_store_id=store.id, filter="failed")] == []
    assert len(editor.vector_stores.files.list(vector_store_id=store.id, filter="completed").data) == 2

    content = editor.vector_stores.files.content(policy, vector_store_id=store.id)
    assert "Blue team members book trains" in "".join(part.text or "" for part in content)

    renamed = editor.vector_stores.update(
        store.id, name="Travel", expires_after={"anchor": "last_active_at", "days": 7}
    )
    assert renamed.name == "Travel" and renamed.expires_after and renamed.expires_after.days == 7 and renamed.expires_at
    listed = [s.id for s in editor.vector_stores.list(limit=2)]  # the SDK follows the cursor
    assert store.id in listed and setup.kb.stores["handbook"] in listed  # existing collections are stores
    assert setup.kb.stores["finance"] not in listed

    # One file in two stores: stored once, ingested in each; deleting the file empties both.
    second = editor.vector_stores.create(name="Travel copy", file_ids=[policy])
    assert editor.vector_stores.files.poll(policy, vector_store_id=second.id).status == "completed"

    removed = editor.vector_stores.files.delete(policy, vector_store_id=store.id)
    assert removed.deleted and removed.object == "vector_store.file.deleted"
    assert editor.files.retrieve(policy).id == policy  # the file itself stays
    assert editor.vector_stores.retrieve(store.id).file_counts.total == 1
    assert editor.files.delete(policy).deleted
    assert editor.vector_stores.retrieve(second.id).file_counts.total == 0
    with pytest.raises(openai.NotFoundError):
        editor.vector_stores.files.retrieve(policy, vector_store_id=second.id)
    gone = editor.vector_stores.delete(store.id)
    assert gone.deleted and gone.object == "vector_store.deleted"
    with pytest.raises(openai.NotFoundError):
        editor.vector_stores.retrieve(store.id)


def test_static_chunking_and_attributes_reaching_the_chunks(setup: Setup) -> None:
    editor, kb = setup.editor, setup.kb
    store = editor.vector_stores.create(name="chunked")
    long_file = upload(editor, "rules.md", LONG.encode())
    static: Any = {"type": "static", "static": {"max_chunk_size_tokens": 100, "chunk_overlap_tokens": 0}}
    added = editor.vector_stores.files.create_and_poll(
        file_id=long_file, vector_store_id=store.id, attributes={"team": "blue", "year": 2026}, chunking_strategy=static
    )
    assert added.status == "completed" and added.attributes == {"team": "blue", "year": 2026}
    assert added.chunking_strategy and added.chunking_strategy.type == "static"
    assert added.chunking_strategy.static.max_chunk_size_tokens == 100  # type: ignore[union-attr]
    documents = httpx.get(f"{kb.url}/v1/documents", params={"collection": "chunked"}, headers=bearer(kb.admin_key))
    (document,) = documents.json()["items"]
    default_chunks = len(LONG) // 4 // 350 + 1
    assert document["chunks"] > default_chunks * 2  # 100-token chunks, not the server's 350

    def search(team: str) -> list[str]:
        response = kb.admin.responses.create(
            model="knowbase",
            input="Which receipt number do expenses of kind 3 need?",
            tools=[
                {
                    "type": "file_search",
                    "vector_store_ids": [store.id],
                    "filters": {"type": "eq", "key": "team", "value": team},
                }
            ],
            include=["file_search_call.results"],
        )
        call: Any = response.output[0]
        return [r.file_id for r in call.results or []]

    assert set(search("blue")) == {long_file} and search("red") == []
    updated = editor.vector_stores.files.update(long_file, vector_store_id=store.id, attributes={"team": "red"})
    assert updated.attributes == {"team": "red"}
    assert set(search("red")) == {long_file} and search("blue") == []  # the chunks changed at once

    # A document uploaded through knowbase's own API takes attributes as well.
    handbook, handbook_file = kb.stores["handbook"], kb.files["handbook.md"]
    tagged = kb.admin.vector_stores.files.update(handbook_file, vector_store_id=handbook, attributes={"team": "red"})
    assert tagged.id == handbook_file and tagged.attributes == {"team": "red"}
    response = kb.admin.responses.create(
        model="knowbase",
        input="年假最多可以结转几天？",
        tools=[
            {
                "type": "file_search",
                "vector_store_ids": [handbook],
                "filters": {"type": "eq", "key": "team", "value": "red"},
            }
        ],
        include=["file_search_call.results"],
    )
    results: Any = response.output[0]
    assert {r.file_id for r in results.results or []} == {handbook_file}

    with pytest.raises(openai.BadRequestError) as too_many:
        editor.vector_stores.files.update(
            long_file, vector_store_id=store.id, attributes={f"k{n}": n for n in range(17)}
        )
    assert too_many.value.body["param"] == "attributes"  # type: ignore[index]
    with pytest.raises(openai.BadRequestError):
        editor.vector_stores.files.update(long_file, vector_store_id=store.id, attributes={"k": "x" * 513})
    bad_chunking = {"type": "static", "static": {"max_chunk_size_tokens": 100, "chunk_overlap_tokens": 60}}
    with pytest.raises(openai.BadRequestError):
        editor.vector_stores.files.create(
            file_id=upload(editor, "x.md", b"# X\n\nText."),
            vector_store_id=store.id,
            chunking_strategy=bad_chunking,  # type: ignore[arg-type]
        )


def test_batches_with_per_file_attributes_cancel_and_unsupported_files(setup: Setup) -> None:
    editor = setup.editor
    store = editor.vector_stores.create(name="batched")
    one, two = upload(editor, "one.md", b"# One\n\nThe first file."), upload(editor, "two.md", b"# Two\n\nThe second.")
    batch = editor.vector_stores.file_batches.create_and_poll(
        vector_store_id=store.id,
        files=[{"file_id": one, "attributes": {"n": 1}}, {"file_id": two, "attributes": {"n": 2}}],
    )
    assert batch.id.startswith("vsfb_") and batch.object == "vector_store.files_batch"
    assert batch.status == "completed" and batch.file_counts.completed == 2 and batch.file_counts.total == 2
    listed = editor.vector_stores.file_batches.list_files(batch.id, vector_store_id=store.id, order="asc")
    assert {f.id: f.attributes for f in listed} == {one: {"n": 1}, two: {"n": 2}}

    with pytest.raises(openai.APIStatusError) as refused:  # as /v1/documents: nothing kept
        upload(editor, "blob.bin", bytes(range(256)) * 8)
    assert refused.value.status_code == 415
    binary = upload(editor, "blob.bin", bytes(range(256)) * 8, purpose="user_data")
    empty = upload(editor, "empty.md", b"", purpose="user_data")
    assert editor.files.retrieve(binary).status == "error"
    failed = editor.vector_stores.files.create_and_poll(file_id=binary, vector_store_id=store.id)
    assert failed.status == "failed" and failed.last_error and failed.last_error.code == "unsupported_file"
    broken = editor.vector_stores.files.create_and_poll(file_id=empty, vector_store_id=store.id)
    assert broken.status == "failed" and broken.last_error and broken.last_error.code == "invalid_file"
    assert broken.last_error.message == "the file is empty"
    failures = editor.vector_stores.files.list(vector_store_id=store.id, filter="failed", order="asc")
    assert [f.id for f in failures] == [binary, empty]

    # knowbase's own upload of a same-named file is a document of its own, not a version of the File's.
    kb = setup.kb
    own = httpx.post(
        f"{kb.url}/v1/documents",
        files={"file": ("one.md", b"# One\n\nAnother text.")},
        data={"collection": "batched"},
        headers=bearer(kb.admin_key),
    ).json()["document"]
    assert own["version"] == 1
    assert editor.vector_stores.files.retrieve(one, vector_store_id=store.id).attributes == {"n": 1}

    uploaded = editor.vector_stores.file_batches.upload_and_poll(
        store.id,
        files=[("three.md", io.BytesIO(b"# Three\n\nThe third.")), ("four.md", io.BytesIO(b"# Four\n\nFour."))],
    )
    assert uploaded.status == "completed" and uploaded.file_counts.completed == 2

    late = [upload(editor, f"late{n}.md", f"# Late {n}\n\n{LONG}".encode()) for n in range(3)]
    started = editor.vector_stores.file_batches.create(vector_store_id=store.id, file_ids=late)
    cancelled = editor.vector_stores.file_batches.cancel(started.id, vector_store_id=store.id)
    assert cancelled.status == "cancelled"
    statuses = {f.status for f in editor.vector_stores.file_batches.list_files(started.id, vector_store_id=store.id)}
    assert statuses <= {"cancelled", "completed"} and "cancelled" in statuses
    assert editor.vector_stores.file_batches.retrieve(started.id, vector_store_id=store.id).status == "cancelled"


def test_another_group_sees_no_store_and_readers_cannot_write(setup: Setup) -> None:
    store = setup.editor.vector_stores.create(name="staff only")
    own_file = upload(setup.editor, "staff.md", b"# Staff\n\nStaff text.")
    setup.editor.vector_stores.files.create_and_poll(file_id=own_file, vector_store_id=store.id)
    outsider = setup.outsider
    for call in (
        lambda: outsider.vector_stores.retrieve(store.id),
        lambda: outsider.vector_stores.files.list(vector_store_id=store.id),
        lambda: outsider.vector_stores.files.retrieve(own_file, vector_store_id=store.id),
        lambda: outsider.vector_stores.update(store.id, name="mine"),
        lambda: outsider.vector_stores.delete(store.id),
    ):
        with pytest.raises(openai.NotFoundError):
            call()
    assert store.id not in [s.id for s in outsider.vector_stores.list()]
    # Nor can they add their own file to it, or someone else's file to their store.
    theirs = upload(outsider, "fin.md", b"# Fin\n\nFinance text.")
    with pytest.raises(openai.NotFoundError):
        outsider.vector_stores.files.create(file_id=theirs, vector_store_id=store.id)
    finance_store = outsider.vector_stores.create(name="finance store")
    with pytest.raises(openai.NotFoundError):
        outsider.vector_stores.files.create(file_id=own_file, vector_store_id=finance_store.id)

    admins_store = setup.kb.admin.vector_stores.create(name="admins only")  # until an admin grants groups
    assert admins_store.id not in [s.id for s in setup.editor.vector_stores.list()]
    with pytest.raises(openai.NotFoundError):
        setup.editor.vector_stores.retrieve(admins_store.id)
    name = httpx.get(f"{setup.kb.url}/v1/admin/collections", headers=bearer(setup.kb.admin_key)).json()
    collection = next(c["name"] for c in name if "vs_" + c["id"] == admins_store.id)
    granted = {"read_groups": ["staff"], "write_groups": ["staff"]}
    httpx.patch(f"{setup.kb.url}/v1/admin/collections/{collection}", json=granted, headers=bearer(setup.kb.admin_key))
    assert setup.editor.vector_stores.retrieve(admins_store.id).name == "admins only"

    reader = setup.kb.client_for("rita", ["staff"])
    assert reader.vector_stores.retrieve(store.id).id == store.id
    with pytest.raises(openai.PermissionDeniedError):
        reader.vector_stores.create(name="nope")
    with pytest.raises(openai.PermissionDeniedError):
        reader.vector_stores.update(store.id, name="nope")

    # A document uploaded through knowbase's API is a file to whoever may read it (citations name it).
    handbook = setup.kb.files["handbook.md"]
    assert reader.files.retrieve(handbook).filename == "handbook.md"
    assert reader.files.content(handbook).content == HANDBOOK.encode()
    with pytest.raises(openai.NotFoundError):
        outsider.files.retrieve(handbook)
    with pytest.raises(openai.PermissionDeniedError):
        reader.files.delete(handbook)
    assert handbook not in [f.id for f in reader.files.list()]  # lists hold the caller's own files
