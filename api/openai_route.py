"""The route class of every OpenAI-compatible router: a request that fails validation is a 400 naming
the parameter, as OpenAI answers (knowbase's own routes answer 422)."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute

from answer.responses.request import bad_request


class OpenAIRoute(APIRoute):
    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def route(request: Request) -> Response:
            try:
                return await handler(request)
            except RequestValidationError as error:
                raise bad_request(error.errors()) from None

        return route
