"""ChatService without FastAPI: a scripted LLM, a fixed context and a real metadata DB."""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from answer.service import ChatService
from core.metadata import accounts
from core.metadata.bootstrap import bootstrap
from core.metadata.db import Database
from core.metadata.models import UsageRecord, UsageReservation
from core.providers.lexical import LexicalEncoder
from core.providers.llm import Completion, StreamEvent, Usage
from core.providers.moderation_classifier import LocalModerator
from core.security import generate_api_key
from core.settings import Settings
from core.tokens import count_tokens
from core.types import Principal, Role
from retrieval.context import ContextAssembler
from tests.answer.test_sentences import DOCUMENT, hit

pytestmark = pytest.mark.unit

SENTENCE = "Remote workers must use the company VPN at all times [1]. "


class ScriptedLLM:
    model = "scripted"

    def __init__(self, text: str) -> None:
        self.text, self.sent, self.finished, self.closed = text, "", False, False

    def complete(self, messages, *, max_tokens=None, temperature=None) -> Completion:  # type: ignore[no-untyped-def]
        return Completion(text="", model=self.model)

    def stream(self, messages, *, max_tokens=None, temperature=None) -> Iterator[StreamEvent]:  # type: ignore[no-untyped-def]
        try:
            for piece in re.findall(r".{1,10}", self.text, re.S):
                self.sent += piece
                yield StreamEvent(delta=piece, model=self.model)
            self.finished = True
            yield StreamEvent(done=True, model=self.model, usage=Usage(100, 20, reported=True))
        finally:
            self.closed = True


class FixedRetrieval:
    def __init__(self) -> None:
        self.hits = [hit(0, len(DOCUMENT), 0)]
        self.context_ = ContextAssembler().assemble(self.hits, 1000)

    def context(self, principal, query, **options):  # type: ignore[no-untyped-def]
        return self.context_, self.hits

    def budget_for(self, **options) -> int:  # type: ignore[no-untyped-def]
        return 4000


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    database = Database(f"sqlite:///{tmp_path / 'kb.db'}")
    bootstrap(database, generate_api_key())
    yield database
    database.close()


def make_chat(db: Database, llm: ScriptedLLM, tmp_path: Path) -> ChatService:
    settings = Settings(data_dir=tmp_path, llm_model="scripted", prices={"scripted": {"prompt": 1, "completion": 1}})
    return ChatService(
        db=db,
        retrieval=FixedRetrieval(),
        lexical=LexicalEncoder(),
        llm=llm,
        moderator=LocalModerator(),
        settings=settings,
    )  # type: ignore[arg-type]


def key_principal(db: Database, budget: int) -> Principal:
    with db.session() as session:
        created = accounts.create_key(session=session, user="ann", role=Role.reader, monthly_token_budget=budget)
        return accounts.authenticate_key(session=session, key=created.key)


def test_a_turn_answers_with_verbatim_citations_and_records_usage(db: Database, tmp_path: Path) -> None:
    llm = ScriptedLLM(SENTENCE)
    result = make_chat(db, llm, tmp_path).answer(key_principal(db, 10_000), "Do remote workers need the VPN?")
    assert result.mode == "llm" and result.answer == SENTENCE and llm.finished
    citation = result.citations[0]
    assert DOCUMENT[citation.start : citation.end] == citation.quote and "VPN" in citation.quote
    assert (result.usage.prompt_tokens, result.usage.completion_tokens) == (100, 20)
    with db.session() as session:
        assert session.scalar(select(func.count()).select_from(UsageReservation)) == 0


def test_closing_the_events_stops_the_llm_and_charges_what_it_sent(db: Database, tmp_path: Path) -> None:
    llm = ScriptedLLM(SENTENCE * 50)
    chat = make_chat(db, llm, tmp_path)
    turn = chat.start(key_principal(db, 100_000), "Do remote workers need the VPN?")
    with db.session() as session:
        assert session.scalar(select(UsageReservation.tokens)) > 20  # held while the turn runs
    events = chat.events(turn)
    assert next(events).type == "delta"
    events.close()  # what the HTTP layer does when the client hangs up
    assert llm.closed and not llm.finished and len(llm.sent) < len(llm.text)
    with db.session() as session:
        row = session.scalars(select(UsageRecord)).one()
        assert row.model == "scripted" and row.completion_tokens == count_tokens(llm.sent) > 0
        assert row.prompt_tokens > count_tokens(DOCUMENT) // 2
        assert session.scalar(select(func.count()).select_from(UsageReservation)) == 0
    chat.settle(turn)  # settling twice charges once
    with db.session() as session:
        assert session.scalar(select(func.count()).select_from(UsageRecord)) == 1


def test_the_answer_package_does_not_import_fastapi() -> None:
    code = "import sys, answer.service; print(sorted(m for m in sys.modules if m.startswith(('fastapi', 'starlette'))))"
    root = Path(__file__).resolve().parents[2]
    out = subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
