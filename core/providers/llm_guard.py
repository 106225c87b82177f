"""Guards around any ChatModel: an overall deadline per call and per stream, a bounded number of
concurrent calls, and a circuit breaker, so that a dead LLM costs a chat one fast failure (and an
extractive answer) instead of a full timeout each."""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout

from core.errors import ProviderError, ProviderTimeout, ProviderUnavailable
from core.providers.llm import ChatModel, Completion, Message, StreamEvent


class CircuitBreaker:
    """Opens after ``failures`` consecutive failures; after ``cooldown_s`` lets one probe through
    (half-open): its success closes the breaker, its failure opens it again."""

    def __init__(self, failures: int, cooldown_s: float, clock: Callable[[], float] = time.monotonic) -> None:
        self._threshold, self._cooldown_s, self._clock = failures, cooldown_s, clock
        self._failures = 0
        self._opened_at: float | None = None
        self._probing = False
        self._lock = threading.Lock()

    def before_call(self) -> None:
        with self._lock:
            if self._opened_at is None:
                return
            if self._probing or self._clock() - self._opened_at < self._cooldown_s:
                raise ProviderUnavailable("the LLM failed repeatedly; not calling it until its cool-down ends")
            self._probing = True

    def record(self, success: bool) -> None:
        with self._lock:
            self._probing = False
            if success:
                self._failures, self._opened_at = 0, None
                return
            self._failures += 1
            if self._opened_at is not None or self._failures >= self._threshold:
                self._opened_at = self._clock()


class GuardedChat:
    """A ChatModel that wraps another with a deadline, a concurrency bound and a circuit breaker."""

    def __init__(
        self, inner: ChatModel, *, deadline_s: float, max_concurrency: int, breaker_failures: int, cooldown_s: float
    ) -> None:
        self.inner = inner
        self.model = inner.model
        self._deadline_s = deadline_s
        self._slots = threading.BoundedSemaphore(max_concurrency)
        self.breaker = CircuitBreaker(breaker_failures, cooldown_s)

    def __getattr__(self, name: str) -> object:  # list_models, close, fallback_model...
        return getattr(self.inner, name)

    def complete(
        self, messages: list[Message], *, max_tokens: int | None = None, temperature: float | None = None
    ) -> Completion:
        deadline = self._enter()
        future: Future[Completion] = Future()

        def run() -> None:
            try:
                future.set_result(self.inner.complete(messages, max_tokens=max_tokens, temperature=temperature))
            except BaseException as error:  # noqa: BLE001 - re-raised in the caller's thread
                future.set_exception(error)
            finally:
                self._slots.release()

        threading.Thread(target=run, name="llm-call", daemon=True).start()
        try:
            result = future.result(timeout=max(0.0, deadline - time.monotonic()))
        except FutureTimeout as error:
            self.breaker.record(False)
            raise ProviderTimeout(f"the LLM did not answer within {self._deadline_s:g} s") from error
        except ProviderError:
            self.breaker.record(False)
            raise
        self.breaker.record(True)
        return result

    def stream(
        self, messages: list[Message], *, max_tokens: int | None = None, temperature: float | None = None
    ) -> Iterator[StreamEvent]:
        """Events from a worker thread; the consumer waits at most until the deadline. Closing this
        generator (or the deadline) tells the worker to close the HTTP stream at its next event."""
        deadline = self._enter()
        events: queue.Queue[StreamEvent | BaseException | None] = queue.Queue()
        stop = threading.Event()

        def run() -> None:
            inner = self.inner.stream(messages, max_tokens=max_tokens, temperature=temperature)
            try:
                for event in inner:
                    if stop.is_set():
                        break
                    events.put(event)
                events.put(None)
            except BaseException as error:  # noqa: BLE001 - re-raised in the caller's thread
                events.put(error)
            finally:
                close = getattr(inner, "close", None)
                if close is not None:
                    close()
                self._slots.release()

        threading.Thread(target=run, name="llm-stream", daemon=True).start()
        try:
            while True:
                try:
                    item = events.get(timeout=max(0.0, deadline - time.monotonic()))
                except queue.Empty:
                    self.breaker.record(False)
                    raise ProviderTimeout(f"the LLM stream did not finish within {self._deadline_s:g} s") from None
                if item is None:
                    self.breaker.record(True)
                    return
                if isinstance(item, ProviderError):
                    self.breaker.record(False)
                    raise item
                if isinstance(item, BaseException):
                    raise item
                yield item
        finally:
            stop.set()

    def _enter(self) -> float:
        """Check the breaker and take a slot, waiting at most until the deadline; returns the deadline."""
        self.breaker.before_call()
        deadline = time.monotonic() + self._deadline_s
        if not self._slots.acquire(timeout=self._deadline_s):
            raise ProviderTimeout(f"no LLM slot became free within {self._deadline_s:g} s")
        return deadline
