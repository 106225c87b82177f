"""The leak test over OpenAI's Files and vector stores: what one group's key sees — files, stores,
file counts, search results, file_search answers — is exactly the same before and after another
group stores a secret file, and every id of the other group's answers 404."""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Any

import httpx
import openai
import pytest
from openai import OpenAI

from tests.api.openai_kb import Knowbase, running_knowbase
from tests.conftest import bearer

pytestmark = pytest.mark.integration

SECRET = "Project Nightingale acquires Borealis Robotics for 412 million euros in March."


def editor_key(kb: Knowbase, user: str, groups: list[str]) -> OpenAI:
    body = {"user": user, "role": "editor", "groups": groups}
    key = httpx.post(f"{kb.url}/v1/admin/keys", json=body, headers=bearer(kb.admin_key)).json()["key"]
    return OpenAI(base_url=kb.url + "/v1", api_key=key, max_retries=0)


@pytest.fixture(scope="module")
def kb(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Knowbase]:
    yield from running_knowbase(tmp_path_factory.mktemp("openai_leak"))


def view_of(client: OpenAI, own_store: str) -> dict[str, Any]:
    """Everything a key can learn about files and stores without naming the other group's ids."""
    stores = list(client.vector_stores.list(limit=100))
    return {
        "files": sorted(f.id for f in client.files.list()),
        "stores": sorted((s.id, s.file_counts.total, s.file_counts.completed, s.usage_bytes) for s in stores),
        "store_files": sorted(f.id for f in client.vector_stores.files.list(vector_store_id=own_store)),
        "search": sorted(
            r.file_id for r in client.vector_stores.search(vector_store_id=own_store, query=SECRET, max_num_results=50)
        ),
        "answer_files": sorted(
            r.file_id
            for item in client.responses.create(
                model="knowbase",
                input="Who acquires Borealis Robotics?",
                tools=[{"type": "file_search", "vector_store_ids": [own_store]}],
                include=["file_search_call.results"],
            ).output
            if item.type == "file_search_call"
            for r in item.results or []
        ),
    }


def test_another_groups_secret_store_changes_nothing_the_outsider_sees(kb: Knowbase) -> None:
    owner, outsider = editor_key(kb, "olga", ["research"]), editor_key(kb, "otto", ["sales"])
    outsider_file = outsider.files.create(
        file=("pitch.md", io.BytesIO(b"# Pitch\n\nOur robots sort parcels.\n")), purpose="assistants"
    )
    outsider_store = outsider.vector_stores.create(name="sales", file_ids=[outsider_file.id])
    outsider.vector_stores.files.poll(outsider_file.id, vector_store_id=outsider_store.id)
    before = view_of(outsider, outsider_store.id)
    assert before["store_files"] == [outsider_file.id]

    secret_file = owner.files.create(
        file=("deal.md", io.BytesIO(f"# Deal\n\n{SECRET}\n".encode())), purpose="assistants"
    )
    secret_store = owner.vector_stores.create(name="research")
    added = owner.vector_stores.files.create_and_poll(
        file_id=secret_file.id, vector_store_id=secret_store.id, attributes={"level": "secret"}
    )
    assert added.status == "completed"
    minutes = owner.files.create(
        file=("minutes.md", io.BytesIO(b"# Minutes\n\nThe board met twice.\n")), purpose="assistants"
    )
    batch = owner.vector_stores.file_batches.create_and_poll(vector_store_id=secret_store.id, file_ids=[minutes.id])
    assert batch.status == "completed" and batch.file_counts.completed == 1
    found = owner.vector_stores.search(vector_store_id=secret_store.id, query=SECRET)
    assert [r.file_id for r in found][:1] == [secret_file.id]  # the owner finds it: the test can fail

    assert view_of(outsider, outsider_store.id) == before  # same files, stores, counts and results
    for call in (
        lambda: outsider.files.retrieve(secret_file.id),
        lambda: outsider.files.content(secret_file.id),
        lambda: outsider.files.delete(secret_file.id),
        lambda: outsider.vector_stores.retrieve(secret_store.id),
        lambda: outsider.vector_stores.search(vector_store_id=secret_store.id, query=SECRET),
        lambda: outsider.vector_stores.files.retrieve(secret_file.id, vector_store_id=secret_store.id),
        lambda: outsider.vector_stores.files.content(secret_file.id, vector_store_id=secret_store.id),
        lambda: outsider.vector_stores.files.update(
            secret_file.id, vector_store_id=secret_store.id, attributes={"level": "public"}
        ),
        lambda: outsider.vector_stores.files.delete(secret_file.id, vector_store_id=secret_store.id),
        lambda: outsider.vector_stores.file_batches.retrieve(batch.id, vector_store_id=secret_store.id),
        lambda: outsider.vector_stores.file_batches.cancel(batch.id, vector_store_id=secret_store.id),
        lambda: outsider.responses.create(
            model="knowbase",
            input="Who acquires Borealis Robotics?",
            tools=[{"type": "file_search", "vector_store_ids": [secret_store.id]}],
        ),
    ):
        with pytest.raises(openai.NotFoundError):
            call()

    # A store id that does not exist answers exactly like the other group's.
    unknown = "vs_" + "0" * 32
    with pytest.raises(openai.NotFoundError) as missing:
        outsider.vector_stores.retrieve(unknown)
    with pytest.raises(openai.NotFoundError) as hidden:
        outsider.vector_stores.retrieve(secret_store.id)
    assert hidden.value.body["type"] == missing.value.body["type"] == "not_found_error"  # type: ignore[index]
    assert hidden.value.body["message"].replace(secret_store.id, unknown) == missing.value.body["message"]  # type: ignore[index]

    # Nothing the outsider tried changed the owner's store.
    still = owner.vector_stores.files.retrieve(secret_file.id, vector_store_id=secret_store.id)
    assert still.status == "completed" and still.attributes == {"level": "secret"}
    assert owner.vector_stores.retrieve(secret_store.id).file_counts.completed == 2
