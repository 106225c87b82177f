"""Real HTTP servers on 127.0.0.1 for tests: any ASGI app in a uvicorn thread, and a scriptable
fake OpenAI-compatible LLM. Both stop when their context ends."""

from __future__ import annotations

import asyncio
import json
import re
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def serve(app, port: int | None = None) -> Iterator[str]:  # type: ignore[no-untyped-def]
    port = port or free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("test server did not start")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=30)


@dataclass
class FakeLLM:
    """Each request takes the next scripted behaviour (default ``"ok"``):
    ``"ok"`` answers from the prompt's source [1]; ``("text", s)`` answers ``s``; ``429`` (Retry-After: 0),
    ``500``, ``401``, ``"model"`` (404 model not found), ``"timeout"`` (answers after 3 s),
    ``"malformed"`` and ``"cutoff"`` (a stream that stops without finishing); ``("slow", s, seconds)``
    streams ``s`` with a pause before each piece. ``streams_closed_early`` counts streams whose
    client hung up before the end."""

    script: list = field(default_factory=list)
    requests: list[dict] = field(default_factory=list)
    streams_closed_early: int = 0

    def next(self):  # type: ignore[no-untyped-def]
        return self.script.pop(0) if self.script else "ok"

    @staticmethod
    def answer_from_prompt(messages: list[dict]) -> str:
        prompt = messages[-1]["content"]
        match = re.search(r"\[1\][^\n]*\n(.+?)(?:[.。!?！？]|\n|$)", prompt)
        if not match:
            return "The documents do not contain the answer."
        sentence = match.group(1).strip()
        return f"{sentence}. [1]" if not re.search(r"[\u4e00-\u9fff]", sentence) else f"{sentence}。[1]"

    def app(self) -> Starlette:
        async def completions(request: Request) -> Response:
            body = await request.json()
            self.requests.append({"body": body, "authorization": request.headers.get("authorization")})
            behaviour = self.next()
            if behaviour == 429:
                return JSONResponse({"error": {"message": "rate limited"}}, 429, headers={"Retry-After": "0"})
            if behaviour in (500, 401):
                return JSONResponse({"error": {"message": f"status {behaviour}"}}, behaviour)
            if behaviour == "model":
                return JSONResponse({"error": {"message": f"model {body['model']} not found"}}, 404)
            if behaviour == "timeout":
                await asyncio.sleep(3)
            text = behaviour[1] if isinstance(behaviour, tuple) else self.answer_from_prompt(body["messages"])
            pause = behaviour[2] if isinstance(behaviour, tuple) and behaviour[0] == "slow" else 0
            usage = {"prompt_tokens": 111, "completion_tokens": 22, "total_tokens": 133}
            if behaviour == "malformed" and not body.get("stream"):
                return Response("{not json", media_type="application/json")
            if not body.get("stream"):
                return JSONResponse(
                    {
                        "id": "x",
                        "model": body["model"],
                        "usage": usage,
                        "choices": [
                            {"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "stop"}
                        ],
                    }
                )

            async def events():  # type: ignore[no-untyped-def]
                finished = False
                try:
                    async for event in pieces_then_done():
                        yield event
                    finished = True
                finally:
                    if not finished:
                        self.streams_closed_early += 1

            async def pieces_then_done():  # type: ignore[no-untyped-def]
                pieces = re.findall(r".{1,12}", text, re.S)
                for number, piece in enumerate(pieces):
                    if pause:
                        await asyncio.sleep(pause)
                    if behaviour == "cutoff" and number == 2:
                        return
                    if behaviour == "malformed" and number == 1:
                        yield "data: {not json\n\n"
                        return
                    chunk = {
                        "id": "x",
                        "model": body["model"],
                        "choices": [{"index": 0, "delta": {"content": piece}, "finish_reason": None}],
                    }
                    yield f"data: {json.dumps(chunk)}\n\n"
                    await asyncio.sleep(0)
                yield f"data: {json.dumps({'id': 'x', 'model': body['model'], 'choices': [{'index': 0, 'delta': {}, 'finish_reason': 'stop'}]})}\n\n"
                yield f"data: {json.dumps({'id': 'x', 'model': body['model'], 'choices': [], 'usage': usage})}\n\n"
                yield "data: [DONE]\n\n"

            return StreamingResponse(events(), media_type="text/event-stream")

        async def models(_request: Request) -> Response:
            return JSONResponse({"object": "list", "data": [{"id": "fake-model", "object": "model"}]})

        return Starlette(
            routes=[Route("/v1/chat/completions", completions, methods=["POST"]), Route("/v1/models", models)]
        )
