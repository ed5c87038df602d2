"""The ``llm`` engine: any OpenAI-compatible endpoint, with the syntax tree deciding ranges.

One instance serves every thread of a process. Each ``analyze`` runs under an overall
deadline (``IRIS_LLM_DEADLINE``); each call gets ``min(IRIS_LLM_TIMEOUT, time left)``.
429, 5xx, timeouts and connection errors are retried with exponential backoff and
jitter, honouring ``Retry-After``, never past the deadline. An unusable answer gets
one repair call. A circuit breaker pauses calls to an upstream that keeps failing.
Only ``LLMTimeout``, ``LLMUnavailable`` and ``LLMBadOutput`` leave this module.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any
from urllib.parse import urlparse

import msgspec

from .. import metrics
from ..analysis import Analysis, Block
from ..config import Settings
from ..errors import EngineError, LLMBadOutput, LLMTimeout, LLMUnavailable
from ..postprocess import EMPTY_FILE_INTENT, count_lines, is_blank, normalize_ranges
from ..syntax.units import Unit
from . import llm_output, prompts
from .pricing import Usage, cost_usd, parse_prices, price_for
from .resilience import CircuitBreaker, Deadline, backoff_delay, retry_after_seconds

if TYPE_CHECKING:
    import httpx
    from openai import OpenAI

log = logging.getLogger(__name__)

# Bump when the engine's logic changes answers; part of the cache identity.
ENGINE_VERSION = "1"
BREAKER_THRESHOLD = 5
BREAKER_COOLDOWN = 30.0
# No call starts with less time than this left: it could not finish anyway.
MIN_CALL_SECONDS = 0.05
PARAGRAPH_MIN_LINES = 8
NO_KEY = "no-key"  # sent as the bearer token to an endpoint configured without a key

Message = dict[str, str]


def resolve_api(settings: Settings) -> str:
    """``responses`` or ``chat``: auto picks Responses on OpenAI, Chat Completions elsewhere."""
    if settings.llm_api != "auto":
        return settings.llm_api
    base = settings.openai_base_url
    if not base or urlparse(base).hostname == "api.openai.com":
        return "responses"
    return "chat"


class _UnreadableResponse(Exception):
    """A 200 answer without the OpenAI shape (e.g. an HTML page from a proxy)."""


class _Failure(msgspec.Struct, frozen=True):
    """One failed call, classified: why, whether to retry, and the error to raise at the end."""

    reason: str
    retryable: bool
    error: EngineError
    retry_after: float | None = None


class LLMEngine:
    """Analyses a file with an LLM; see the module docstring for the failure handling."""

    name = "llm"

    def __init__(
        self,
        settings: Settings,
        *,
        breaker: CircuitBreaker | None = None,
        http_client: httpx.Client | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.settings = settings
        self.api = resolve_api(settings)
        self.mode = settings.llm_mode
        self.breaker = breaker or CircuitBreaker(BREAKER_THRESHOLD, BREAKER_COOLDOWN)
        self._prices = parse_prices(settings.llm_prices)
        self._http_client = http_client
        self._sleep = sleep
        self._client: OpenAI | None = None
        self._client_lock = threading.Lock()

    # -- protocol ------------------------------------------------------------------------

    def cache_identity(self) -> str:
        """Engine version, model, prompt version, mode and API style."""
        return (
            f"llm/v{ENGINE_VERSION}/{self.settings.model}/prompt{prompts.PROMPT_VERSION}"
            f"/{self.mode}/{self.api}"
        )

    def health(self) -> dict[str, Any]:
        """Configuration and circuit state; never calls the upstream."""
        return {
            "configured": self.settings.llm_configured,
            "model": self.settings.model,
            "api": self.api,
            "mode": self.mode,
            "circuit": self.breaker.snapshot(),
        }

    def warm_up(self) -> None:
        """Import the SDK and build the client now (no network), so a first request is fast."""
        if self.settings.llm_configured:
            self.client()

    def analyze(self, source: str, language: str, filename: str) -> Analysis:
        """Ask the model for the file's intent and blocks; ranges come from syntax units."""
        if not self.settings.llm_configured:
            raise LLMUnavailable(
                "The LLM engine is not configured: set OPENAI_BASE_URL (a local server) or "
                "OPENAI_API_KEY."
            )
        if is_blank(source):
            return Analysis(EMPTY_FILE_INTENT, (), self._metadata(Usage()))
        deadline = Deadline(self.settings.llm_deadline)
        units = unit_list(source, language)
        prompt = (
            prompts.guided_prompt(source, units, filename, language)
            if self.mode == "guided"
            else prompts.ranges_prompt(source, filename, language)
        )
        messages: list[Message] = [{"role": "user", "content": prompt.user}]
        text, usage = self._call(prompt, messages, deadline)
        try:
            answer, blocks = self._read(text, source, units)
        except LLMBadOutput as exc:
            metrics.inc("llm_errors_total", reason="bad_output")
            log.warning("LLM answer unusable (%s); asking once for a repair", exc.message)
            messages += [
                {"role": "assistant", "content": text or ""},
                {"role": "user", "content": prompts.repair_message(exc.message)},
            ]
            text, repair_usage = self._call(prompt, messages, deadline)
            usage += repair_usage
            try:
                answer, blocks = self._read(text, source, units)
            except LLMBadOutput:
                metrics.inc("llm_errors_total", reason="bad_output_after_repair")
                raise
        return Analysis(answer.file_intent, tuple(blocks), self._metadata(usage))

    # -- reading the answer ------------------------------------------------------------

    def _read(
        self, text: str | None, source: str, units: Sequence[Unit]
    ) -> tuple[llm_output.Answer, list[Block]]:
        answer = llm_output.parse_answer(text, self.mode)
        if isinstance(answer, llm_output.GuidedAnswer):
            blocks = llm_output.guided_blocks(answer, units)
        else:
            blocks = llm_output.snapped_blocks(answer, units)
        if not blocks:
            what = "unit ids" if self.mode == "guided" else "line ranges"
            raise LLMBadOutput(f"The LLM answer names no valid {what} for this file.")
        blocks = llm_output.attach_leftovers(blocks, units)
        line_count = count_lines(source)
        merged = [
            Block(b.label, b.description, tuple(normalize_ranges(b.ranges, line_count)))
            for b in blocks
        ]
        return answer, merged

    def _metadata(self, usage: Usage) -> dict[str, Any]:
        return {
            "engine": self.name,
            "model": self.settings.model,
            "input_tokens": usage.input_tokens,
            "cached_input_tokens": usage.cached_input_tokens,
            "output_tokens": usage.output_tokens,
            "estimated_cost_usd": cost_usd(usage, price_for(self.settings.model, self._prices)),
        }

    # -- calling the upstream, with retries --------------------------------------------

    def _call(
        self, prompt: prompts.Prompt, messages: list[Message], deadline: Deadline
    ) -> tuple[str | None, Usage]:
        """One successful call's text and usage, retrying transient failures."""
        attempt = 0
        while True:
            remaining = deadline.remaining()
            if remaining < MIN_CALL_SECONDS:
                metrics.inc("llm_errors_total", reason="deadline")
                raise self._deadline_error()
            if not self.breaker.allow():
                metrics.inc("llm_errors_total", reason="circuit_open")
                raise LLMUnavailable(
                    "The LLM upstream keeps failing; calls are paused for "
                    f"{self.breaker.retry_in():.0f} s (circuit open)."
                )
            timeout = min(self.settings.llm_timeout, remaining)
            started = time.monotonic()
            try:
                text, usage = self._request(prompt, messages, timeout)
            except Exception as exc:
                # Recorded first: even an unexpected error must end a half-open trial.
                self.breaker.record_failure()
                failure = self._classify(exc)
                metrics.inc("llm_errors_total", reason=failure.reason)
                attempt += 1
                delay = self._retry_delay(failure, attempt, deadline)
                log.warning(
                    "LLM call failed: %s after %.2f s (attempt %d, %s)",
                    failure.reason,
                    time.monotonic() - started,
                    attempt,
                    "giving up" if delay is None else f"retrying in {delay:.2f} s",
                )
                if delay is None:
                    raise failure.error from None
                self._sleep(delay)
                continue
            self.breaker.record_success()
            self._count(usage)
            log.info(
                "LLM call ok in %.2f s: %d input (%d cached), %d output tokens",
                time.monotonic() - started,
                usage.input_tokens,
                usage.cached_input_tokens,
                usage.output_tokens,
            )
            return text, usage

    def _retry_delay(self, failure: _Failure, attempt: int, deadline: Deadline) -> float | None:
        """Seconds to wait before the next attempt, or None to give up now."""
        if not failure.retryable or attempt > self.settings.llm_max_retries:
            return None
        delay = failure.retry_after if failure.retry_after is not None else backoff_delay(attempt)
        if delay + MIN_CALL_SECONDS >= deadline.remaining():
            return None
        return delay

    def _deadline_error(self) -> LLMTimeout:
        return LLMTimeout(
            f"The LLM did not answer within the {self.settings.llm_deadline:g} s deadline."
        )

    def _count(self, usage: Usage) -> None:
        metrics.inc("llm_calls_total", api=self.api)
        metrics.inc("llm_input_tokens_total", usage.input_tokens)
        metrics.inc("llm_cached_input_tokens_total", usage.cached_input_tokens)
        metrics.inc("llm_output_tokens_total", usage.output_tokens)
        cost = cost_usd(usage, price_for(self.settings.model, self._prices))
        if cost:
            metrics.inc("llm_cost_usd_total", cost)

    def _classify(self, exc: Exception) -> _Failure:
        """Translate an SDK exception (the boundary) into a retry decision and an IRIS error."""
        import openai

        deadline = self.settings.llm_deadline
        if isinstance(exc, openai.APITimeoutError):
            return _Failure("timeout", True, self._deadline_error())
        if isinstance(exc, openai.APIConnectionError):
            return _Failure(
                "connection", True, LLMUnavailable("The LLM upstream could not be reached.")
            )
        if isinstance(exc, openai.APIStatusError):
            status = exc.status_code
            after = retry_after_seconds(exc.response.headers)
            if status == 429 and exc.code == "insufficient_quota":
                message = "The LLM account has run out of quota (HTTP 429)."
                return _Failure("quota", False, LLMUnavailable(message))
            if status == 429:
                shown = f"; it asked to wait {after:g} s" if after is not None else ""
                message = f"The LLM upstream is rate limiting{shown} (deadline {deadline:g} s)."
                return _Failure("rate_limited", True, LLMUnavailable(message), after)
            if status >= 500 or status in (408, 409):
                message = f"The LLM upstream failed with HTTP {status}."
                return _Failure("server_error", True, LLMUnavailable(message), after)
            if status in (401, 403):
                message = f"The LLM upstream rejected the API key (HTTP {status})."
                return _Failure("auth", False, LLMUnavailable(message))
            code = f", {exc.code}" if isinstance(exc.code, str) else ""
            message = f"The LLM upstream refused the request (HTTP {status}{code})."
            return _Failure("bad_request", False, LLMUnavailable(message))
        if isinstance(exc, openai.OpenAIError | _UnreadableResponse):
            message = "The LLM upstream answered in a format the OpenAI SDK cannot read."
            return _Failure("bad_response", False, LLMUnavailable(message))
        # Anything else is a bug in this module or the SDK: let it surface as a 500.
        raise exc

    # -- the two API styles ------------------------------------------------------------

    def _request(
        self, prompt: prompts.Prompt, messages: list[Message], timeout: float
    ) -> tuple[str | None, Usage]:
        if self.api == "responses":
            return self._request_responses(prompt, messages, timeout)
        return self._request_chat(prompt, messages, timeout)

    def _request_responses(
        self, prompt: prompts.Prompt, messages: list[Message], timeout: float
    ) -> tuple[str | None, Usage]:
        params: dict[str, Any] = {
            "model": self.settings.model,
            "instructions": prompt.system,
            "input": messages,
            "text": {
                "format": {
                    "type": "json_schema",
                    "name": prompts.schema_name(prompt.mode),
                    "schema": prompt.schema,
                    "strict": True,
                }
            },
            "store": False,  # source code is not kept upstream
        }
        response = self.client().responses.create(**params, timeout=timeout)
        try:
            text = response.output_text
            usage = response.usage
            if usage is None:
                return text, Usage()
            details = usage.input_tokens_details
            cached = (details.cached_tokens or 0) if details is not None else 0
            return text, Usage(usage.input_tokens, cached, usage.output_tokens)
        except (AttributeError, TypeError, ValueError) as exc:
            raise _UnreadableResponse(type(exc).__name__) from None

    def _request_chat(
        self, prompt: prompts.Prompt, messages: list[Message], timeout: float
    ) -> tuple[str | None, Usage]:
        params: dict[str, Any] = {
            "model": self.settings.model,
            "messages": [{"role": "system", "content": prompt.system}, *messages],
            "response_format": {
                "type": "json_schema",
                "json_schema": {
                    "name": prompts.schema_name(prompt.mode),
                    "schema": prompt.schema,
                    "strict": True,
                },
            },
        }
        response = self.client().chat.completions.create(**params, timeout=timeout)
        try:
            text = response.choices[0].message.content if response.choices else None
            usage = response.usage
            if usage is None:
                return text, Usage()
            details = usage.prompt_tokens_details
            cached = (details.cached_tokens or 0) if details is not None else 0
            return text, Usage(usage.prompt_tokens, cached, usage.completion_tokens)
        except (AttributeError, TypeError, ValueError, IndexError, KeyError) as exc:
            raise _UnreadableResponse(type(exc).__name__) from None

    def close(self) -> None:
        """Close the client's connections (tests, shutdown); a later call reopens them."""
        with self._client_lock:
            client, self._client = self._client, None
        if client is not None:
            client.close()

    def client(self) -> OpenAI:
        """The OpenAI client, created on first use (the SDK is slow to import)."""
        if self._client is None:
            with self._client_lock:
                if self._client is None:
                    from openai import OpenAI

                    self._client = OpenAI(
                        # The SDK wants a key; a local server without one ignores this.
                        api_key=self.settings.openai_api_key or NO_KEY,
                        base_url=self.settings.openai_base_url,
                        max_retries=0,  # retries are ours: they must respect the deadline
                        timeout=self.settings.llm_timeout,
                        http_client=self._http_client,
                    )
        return self._client


# -- units ----------------------------------------------------------------------------


def unit_list(source: str, language: str) -> list[Unit]:
    """The file's syntactic units, sorted; paragraphs when the syntax tree gives none."""
    units: list[Unit] = []
    try:
        from ..syntax import extract_units

        units = list(extract_units(source, language))
    except Exception as exc:
        # Units only shape the prompt: a parser failure must not cost the answer. Only the
        # error's type is logged: its message or traceback could quote the source.
        log.warning(
            "unit extraction failed for %s (%s); using paragraphs", language, type(exc).__name__
        )
    line_count = source.count("\n") + 1
    units = [u for u in units if 1 <= u.start <= u.end <= line_count]
    units.sort(key=lambda u: (u.start, -u.end))
    return units or paragraph_units(source)


def paragraph_units(source: str) -> list[Unit]:
    """Runs of non-blank lines, merged until each has a few lines: units for any text."""
    spans: list[list[int]] = []
    for number, line in enumerate(source.split("\n"), start=1):
        if not line.strip():
            continue
        touching = bool(spans) and spans[-1][1] == number - 1
        if touching or (spans and spans[-1][1] - spans[-1][0] + 1 < PARAGRAPH_MIN_LINES):
            spans[-1][1] = number
        else:
            spans.append([number, number])
    return [
        Unit(id=index, kind="section", name="", start=start, end=end)
        for index, (start, end) in enumerate(spans, start=1)
    ]
