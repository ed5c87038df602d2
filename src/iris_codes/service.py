"""The analysis service: cache → single-flight → engine → postprocess → store.

It knows nothing of HTTP; the web layer, the CLI and the Lambda handler call it as is.
"""

from __future__ import annotations

import hashlib
import logging
import os
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout
from typing import TYPE_CHECKING, Any

import msgspec

from . import jsonio, metrics, postprocess
from .config import Settings
from .engines.budget import BudgetExceeded, run_within
from .engines.slices import sliced
from .errors import (
    AnalysisTimeout,
    ConfigError,
    EngineError,
    ParserCrashed,
    UndecodableSource,
    UnsupportedLanguage,
)
from .models import Analysis, AnalyzeRequest
from .numbering import strip_line_numbers
from .syntax.languages import (
    Language,
    base_name,
    detect_language,
    get_language,
    supported_languages,
)

if TYPE_CHECKING:
    from .cache import Cache
    from .engines.base import Engine

log = logging.getLogger(__name__)

# Bump when the service changes answers for every engine (e.g. post-processing rules).
SERVICE_VERSION = "2"  # 2: no control characters in answer text
_POLL_SECONDS = 0.02
_LOCK_MARGIN = 5.0
# The single-flight lock lives this long unless its holder renews it (every third of it):
# a process killed mid-analysis delays the next request by at most this much.
LOCK_TTL = 1.0
_PER_REQUEST_FIELDS = ("input_tokens", "cached_input_tokens", "output_tokens", "estimated_cost_usd")


def normalize_newlines(source: str) -> str:
    """``\\r\\n`` and lone ``\\r`` become ``\\n``, as editors count lines."""
    if "\r" not in source:
        return source
    return source.replace("\r\n", "\n").replace("\r", "\n")


def resolve_language(filename: str, language_id: str | None, source: str) -> Language:
    """The language named by the client, else the one the file name or shebang implies.

    A named language that is not supported is refused even when the file name would
    detect one, as docs/api.md and the OpenAPI enum say: a client naming the wrong
    language learns it, instead of getting an answer for a language it did not ask for.
    """
    if language_id:
        language = get_language(language_id)
        if language is not None:
            return language
        supported = supported_languages()
        raise UnsupportedLanguage(
            f"Language {language_id[:64]!r} is not supported. Supported: {', '.join(supported)}.",
            supported_languages=supported,
        )
    detected = detect_language(filename, source)
    if detected is not None:
        return detected
    named = (
        f"Cannot detect the language of {base_name(filename)[:128]!r}; name it ('language' "
        "in the API, --language in the CLI)"
    )
    supported = supported_languages()
    raise UnsupportedLanguage(
        f"{named}. Supported: {', '.join(supported)}.", supported_languages=supported
    )


def cache_key(identity: str, language: str, filename: str, source: bytes) -> str:
    """SHA-256 over everything that changes the answer (engines read the file's base name)."""
    name = base_name(filename)
    digest = hashlib.sha256(f"{SERVICE_VERSION}\0{identity}\0{language}\0{name}\0".encode())
    digest.update(source)
    return digest.hexdigest()


class _Job(msgspec.Struct, frozen=True):
    """One request's resolved inputs: its cache key and what the engine needs."""

    key: str
    engine: Engine
    source: str
    language: Language
    filename: str


class _Outcome:
    """What one analysis produced, and whether it may be stored under its key."""

    __slots__ = ("analysis", "cacheable")

    def __init__(self, analysis: Analysis, cacheable: bool) -> None:
        self.analysis = analysis
        self.cacheable = cacheable


class Service:
    """Analyses files with the configured engine, caching every answer."""

    def __init__(
        self,
        settings: Settings,
        *,
        cache: Cache | None = None,
        engines: dict[str, Engine] | None = None,
    ) -> None:
        self.settings = settings
        self._cache = cache
        self._cache_lock = threading.Lock()
        self._engines: dict[str, Engine] = dict(engines or {})
        self._engine_lock = threading.Lock()
        self._flights: dict[str, Future[_Outcome]] = {}
        self._flights_lock = threading.Lock()
        self._renewer = _LockRenewer(lambda: self.cache)
        if settings.engine == "llm" and not settings.llm_configured and "llm" not in self._engines:
            raise ConfigError(
                "IRIS_ENGINE=llm needs an LLM endpoint: OPENAI_BASE_URL (a local server) or "
                "OPENAI_API_KEY (or use IRIS_ENGINE=auto)."
            )
        for warning in settings.llm_warnings():
            log.warning("%s", warning)

    # -- parts, created on first use so start-up stays fast ---------------------------------

    @property
    def cache(self) -> Cache:
        if self._cache is None:
            with self._cache_lock:
                if self._cache is None:
                    from .cache import open_cache

                    self._cache = open_cache(self.settings)
        return self._cache

    def engine(self, name: str) -> Engine:
        """The engine called ``name``, created once."""
        engine = self._engines.get(name)
        if engine is None:
            with self._engine_lock:
                engine = self._engines.get(name)
                if engine is None:
                    engine = self._create_engine(name)
                    self._engines[name] = engine
        return engine

    def _create_engine(self, name: str) -> Engine:
        if name == "structural":
            from .engines.structural import StructuralEngine

            return StructuralEngine()
        from .engines.llm import LLMEngine

        return LLMEngine(self.settings)

    @property
    def primary_engine_name(self) -> str:
        if self.settings.engine == "auto":
            return "llm" if self.settings.llm_configured or "llm" in self._engines else "structural"
        return self.settings.engine

    @property
    def falls_back(self) -> bool:
        return self.settings.engine == "auto" and self.primary_engine_name == "llm"

    # -- the request path ----------------------------------------------------------------

    def analyze(
        self, request: AnalyzeRequest, *, before_engine: Callable[[], None] | None = None
    ) -> Analysis:
        """Analyse one file; the answer's metadata says engine, cache hit and latency.

        ``before_engine`` runs once the cache has missed, before any engine work: the web
        layer counts the engine rate limit there, and an error it raises is the answer.
        """
        started = time.perf_counter()
        job = self._prepare(request)
        cached = self._lookup(job.key)
        if cached is not None:
            return self._answer(request, _as_hit(cached), 1, started)
        if before_engine is not None:
            before_engine()
        # Waiting for another process's answer pays only when an analysis costs money or
        # seconds (the LLM). The structural engine answers in milliseconds: less than the
        # three shared-tier round trips of a lock (take, re-check, release) on DynamoDB.
        shared_lock = job.engine.name != "structural"
        outcome = self._single_flight(job.key, lambda: self._compute(job), shared_lock)
        return self._answer(request, outcome.analysis, 0, started)

    def _prepare(self, request: AnalyzeRequest) -> _Job:
        # Once, before the key: a numbered copy of a file is the same file.
        source = strip_line_numbers(normalize_newlines(request.source_code))
        language = resolve_language(request.filename, request.language, source)
        engine = self.engine(self.primary_engine_name)
        filename = base_name(request.filename)
        key = cache_key(engine.cache_identity(), language.id, filename, _encode(source))
        return _Job(key, engine, source, language, filename)

    def _answer(
        self, request: AnalyzeRequest, analysis: Analysis, hit: int, started: float
    ) -> Analysis:
        metrics.inc(
            "requests_total", engine=str(analysis.metadata.get("engine")), cache_hit=str(hit)
        )
        metadata = {**request.metadata, **analysis.metadata, "cache_hit": hit}
        metadata["latency_ms"] = round((time.perf_counter() - started) * 1000, 3)
        return Analysis(analysis.file_intent, analysis.blocks, metadata)

    def _lookup(self, key: str, *, count: bool = True) -> Analysis | None:
        # ``count=False``: a re-check inside single-flight, kept out of hit/miss counters.
        raw = self.cache.get(key, count=count)
        if raw is None:
            return None
        try:
            return Analysis.from_dict(jsonio.loads(raw))
        except (ValueError, KeyError, TypeError):
            log.warning("cache entry %s… could not be decoded; recomputing", key[:12])
            return None

    def _store(self, key: str, analysis: Analysis) -> None:
        body = analysis.to_dict()
        del body["success"]
        self.cache.set(key, jsonio.dumps(body))

    def _single_flight(
        self, key: str, compute: Callable[[], _Outcome], shared_lock: bool = True
    ) -> _Outcome:
        """Run ``compute`` once per key across threads here (and, with ``shared_lock``,
        across the processes sharing the cache)."""
        with self._flights_lock:
            future = self._flights.get(key)
            leader = future is None
            if future is None:
                future = self._flights[key] = Future()
        if not leader:
            metrics.inc("single_flight_waits_total")
            try:
                shared = future.result(timeout=self._flight_timeout())
            except FutureTimeout:
                raise AnalysisTimeout(
                    "The analysis of this file did not finish in time; try again."
                ) from None
            # The leader paid for the analysis; this request cost nothing.
            return _Outcome(_as_hit(shared.analysis), shared.cacheable)
        try:
            outcome = (
                self._lead(key, compute) if shared_lock else self._store_computed(key, compute)
            )
            future.set_result(outcome)
            return outcome
        except BaseException as exc:
            future.set_exception(exc)
            raise
        finally:
            with self._flights_lock:
                self._flights.pop(key, None)

    def _lead(self, key: str, compute: Callable[[], _Outcome]) -> _Outcome:
        # Another process or instance may already be analysing this key: wait for its
        # answer in the shared tier instead of paying for a second analysis.
        deadline = time.monotonic() + self._flight_timeout()
        while True:
            token = self.cache.try_lock(key, ttl=LOCK_TTL)
            if token is not None:
                break
            time.sleep(_POLL_SECONDS)
            cached = self._lookup(key, count=False)
            if cached is not None:
                return _Outcome(_as_hit(cached), cacheable=False)
            if time.monotonic() > deadline:
                log.warning("lock holder for %s… did not answer in time; analysing", key[:12])
                token = None
                break
        if token is not None:
            self._renewer.hold(key, token)
        try:
            cached = self._lookup(key, count=False)
            if cached is not None:
                return _Outcome(_as_hit(cached), cacheable=False)
            return self._store_computed(key, compute)
        finally:
            if token is not None:
                self._renewer.release(key, token)
                self.cache.unlock(key, token)

    def _store_computed(self, key: str, compute: Callable[[], _Outcome]) -> _Outcome:
        outcome = compute()
        if outcome.cacheable:
            self._store(key, outcome.analysis)
        return outcome

    def _flight_timeout(self) -> float:
        return self.settings.llm_deadline + _LOCK_MARGIN

    def _compute(self, job: _Job) -> _Outcome:
        metrics.add("in_flight_analyses", 1)
        try:
            return self._compute_now(job)
        finally:
            metrics.add("in_flight_analyses", -1)

    def _compute_now(self, job: _Job) -> _Outcome:
        engine, source, language, filename = job.engine, job.source, job.language, job.filename
        started = time.perf_counter()
        try:
            raw = self._run(engine, source, language, filename)
        except BudgetExceeded as exc:
            return self._over_budget(engine.name, source, language, filename, exc)
        except ParserCrashed as exc:
            return self._parser_crashed(engine.name, source, language, filename, exc)
        except EngineError as exc:
            if not self.falls_back:
                metrics.inc("engine_errors_total", engine=engine.name, code=exc.code)
                raise
            metrics.inc("degraded_total", reason=exc.code)
            log.warning("%s engine failed (%s); answering with structural", engine.name, exc.code)
            return self._fallback(source, language, filename, reason=exc.message)
        analysis = postprocess.enforce(raw, source, filename)
        metrics.inc("analyses_total", engine=engine.name)
        metrics.inc("engine_seconds_total", time.perf_counter() - started, engine=engine.name)
        return _Outcome(analysis, cacheable=True)

    def _run(self, engine: Engine, source: str, language: Language, filename: str) -> Analysis:
        """One engine call; structural under its budget (the LLM keeps its own deadline)."""
        if engine.name != "structural":
            return engine.analyze(source, language.id, filename)
        return run_within(
            lambda: engine.analyze(source, language.id, filename),
            self.settings.structural_budget,
            engine.name,
        )

    def _over_budget(
        self, name: str, source: str, language: Language, filename: str, exc: BudgetExceeded
    ) -> _Outcome:
        # Not cached: a calmer moment may finish the full analysis in time.
        metrics.inc("degraded_total", reason="budget")
        log.warning("%s; answering with line slices", exc)
        reason = f"The {name} analysis took longer than its budget; blocks are line slices."
        return self._slices(name, source, language, filename, reason)

    def _parser_crashed(
        self, name: str, source: str, language: Language, filename: str, exc: ParserCrashed
    ) -> _Outcome:
        # Its parse process died, not this one (syntax/isolation.py). Not cached: the next
        # request parses again (the crash the bash guard answers was 1 run in 2).
        metrics.inc("degraded_total", reason=exc.code)
        log.warning("%s; answering with line slices", exc.message)
        return self._slices(
            name, source, language, filename, f"{exc.message} Blocks are line slices."
        )

    def _slices(
        self, name: str, source: str, language: Language, filename: str, reason: str
    ) -> _Outcome:
        analysis = postprocess.enforce(sliced(source, language.id, name), source, filename)
        metadata = {**analysis.metadata, "degraded": reason}
        return _Outcome(Analysis(analysis.file_intent, analysis.blocks, metadata), False)

    def _fallback(self, source: str, language: Language, filename: str, reason: str) -> _Outcome:
        structural = self.engine("structural")
        key = cache_key(structural.cache_identity(), language.id, filename, _encode(source))
        cached = self._lookup(key)
        if cached is None:
            try:
                raw = self._run(structural, source, language, filename)
            except BudgetExceeded as exc:
                return self._over_budget(structural.name, source, language, filename, exc)
            except ParserCrashed as exc:
                return self._parser_crashed(structural.name, source, language, filename, exc)
            cached = postprocess.enforce(raw, source, filename)
            self._store(key, cached)
        metadata = {**cached.metadata, "engine": structural.name, "degraded": reason}
        # Not cached under the LLM's key: the next request tries the LLM again.
        return _Outcome(Analysis(cached.file_intent, cached.blocks, metadata), cacheable=False)

    def health(self) -> dict[str, Any]:
        """Readiness of the engines and the cache (pinged); never calls the LLM."""
        engines = {"structural": self.engine("structural").health()}
        if self.primary_engine_name == "llm":
            engines["llm"] = self.engine("llm").health()
        cache = self.cache.health(probe=True)
        return {
            "ok": bool(cache.get("ok", False)) or cache.get("tier") == "memory",
            "engine": self.settings.engine,
            "primary_engine": self.primary_engine_name,
            "engines": engines,
            "cache": cache,
        }

    def warm_up(self) -> None:
        """Load what the first request would otherwise wait for: engines, SDK, a grammar."""
        engine = self.engine(self.primary_engine_name)
        warm = getattr(engine, "warm_up", None)
        if callable(warm):
            warm()
        self.engine("structural").analyze("def warm_up():\n    pass\n", "python", "warm.py")
        self.cache.health()

    def close(self) -> None:
        """Release the cache and the engines' connections."""
        for engine in list(self._engines.values()):
            close = getattr(engine, "close", None)
            if callable(close):
                close()
        if self._cache is not None:
            self._cache.close()


class _LockRenewer:
    """One thread per process renewing every single-flight lock held here.

    One long-lived thread (not one per analysis) so a tier that keeps a connection per
    thread (SQLite) keeps one more, not one per miss.
    """

    def __init__(self, cache: Callable[[], Cache]) -> None:
        self._cache = cache
        self._held: set[tuple[str, str]] = set()
        self._mutex = threading.Lock()
        self._wake = threading.Event()
        self._pid = 0

    def hold(self, key: str, token: str) -> None:
        with self._mutex:
            self._held.add((key, token))
            if self._pid != os.getpid():  # first use in this (possibly forked) process
                self._pid = os.getpid()
                threading.Thread(target=self._run, name="iris-lock-renewer", daemon=True).start()
        self._wake.set()

    def release(self, key: str, token: str) -> None:
        with self._mutex:
            self._held.discard((key, token))

    def _run(self) -> None:
        while True:
            self._wake.wait()
            time.sleep(LOCK_TTL / 3)
            with self._mutex:
                held = list(self._held)
                if not held:
                    self._wake.clear()
            for key, token in held:
                try:
                    if not self._cache().extend_lock(key, token, LOCK_TTL):
                        self.release(key, token)  # lost: another process may analyse now
                except Exception:  # the tier logs its faults; never let this thread die
                    log.debug("lock renewal for %s… failed", key[:12])


def _encode(source: str) -> bytes:
    if "\x00" in source:
        raise UndecodableSource("source_code contains NUL bytes; binary files cannot be analysed.")
    try:
        return source.encode("utf-8")
    except UnicodeEncodeError:
        raise UndecodableSource("source_code is not valid Unicode text.") from None


def _as_hit(analysis: Analysis) -> Analysis:
    """Per-request cost fields are zero on a hit: this request cost nothing."""
    if not any(field in analysis.metadata for field in _PER_REQUEST_FIELDS):
        return analysis
    metadata = dict(analysis.metadata)
    for field in _PER_REQUEST_FIELDS:
        if field in metadata:
            metadata[field] = 0
    return Analysis(analysis.file_intent, analysis.blocks, metadata)
