"""All settings in one table: defaults, environment names, validation and help.

The table drives ``Settings.from_env``, ``iris --help``, ``docs/configuration.md``
and a test that every setting is documented.
"""

from __future__ import annotations

import dataclasses
import ipaddress
import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from .errors import ConfigError


def _str(value: str) -> str:
    return value.strip()


def _opt_str(value: str) -> str | None:
    return value.strip() or None


def _int(value: str) -> int:
    return int(value.strip().replace("_", ""))


def _float(value: str) -> float:
    return float(value.strip())


def _keys(value: str) -> tuple[str, ...]:
    return tuple(key.strip() for key in value.split(",") if key.strip())


def _hashes(value: str) -> tuple[str, ...]:
    digests = tuple(item.strip().lower() for item in value.split(",") if item.strip())
    bad = [d for d in digests if len(d) != 64 or any(c not in "0123456789abcdef" for c in d)]
    if bad:
        raise ValueError(
            f"{len(bad)} entr{'y is' if len(bad) == 1 else 'ies are'} not a SHA-256 hex "
            "digest (64 hex characters; `iris keys hash KEY` prints one)"
        )
    return digests


def _choice(*choices: str) -> Callable[[str], str]:
    def parse(value: str) -> str:
        value = value.strip().lower()
        if value not in choices:
            raise ValueError(f"expected one of {', '.join(choices)}")
        return value

    return parse


_PERIODS = {"second": 1.0, "minute": 60.0, "hour": 3600.0, "day": 86400.0}


def _rate(value: str) -> tuple[int, float] | None:
    """``"60/minute"`` → (60, 60.0); a bare number is per minute; ``0``/``off`` disables."""
    value = value.strip().lower()
    if value in ("", "0", "off", "none"):
        return None
    count, _, period = value.partition("/")
    seconds = _PERIODS.get(period.strip().rstrip("s") or "minute")
    if seconds is None or not count.strip().isdigit() or int(count) < 1:
        raise ValueError("expected N/second, N/minute, N/hour or N/day, e.g. 60/minute")
    return int(count), seconds


def _log_level(value: str) -> str:
    return _choice("debug", "info", "warning", "error")(value).upper()


@dataclass(frozen=True)
class Setting:
    """One configurable value: its field, environment names, default and meaning."""

    name: str
    env: tuple[str, ...]
    default: Any
    parse: Callable[[str], Any]
    help: str
    secret: bool = False
    shown_default: str | None = None  # the docs' default column, when the value says too little


# fmt: off
SETTINGS: tuple[Setting, ...] = (
    Setting("api_keys", ("IRIS_API_KEY", "API_KEY"), (), _keys,
            "Accepted client key(s), comma-separated; API_KEY is the older name. "
            "None (and no other key source): auth off and the server binds loopback only.",
            secret=True),
    Setting("api_key_hashes", ("IRIS_API_KEY_HASHES",), (), _hashes,
            "Accepted keys as SHA-256 hex digests, comma-separated (`iris keys hash KEY` "
            "prints one): nothing that grants access is stored. Checked with IRIS_API_KEY."),
    Setting("api_keys_file", ("IRIS_API_KEYS_FILE",), None, _opt_str,
            "File of hashed keys managed by `iris keys`; default "
            "`IRIS_CACHE_DIR/api-keys.json`. A file that exists turns auth on, even with no "
            "key in it (fail closed)."),
    Setting("rate_limit", ("IRIS_RATE_LIMIT",), None, _rate,
            "Analyses that reach an engine (cache misses) allowed per client (key, else "
            "address), e.g. `60/minute`; counted in the shared cache tier.",
            shown_default="no limit"),
    Setting("rate_limit_hits", ("IRIS_RATE_LIMIT_HITS",), None, _rate,
            "Answers from the cache allowed per client, e.g. `600/minute`.",
            shown_default="no limit"),
    Setting("trusted_proxies", ("IRIS_TRUSTED_PROXIES",), 0, _int,
            "Proxies in front of IRIS that append to `X-Forwarded-For` (nginx: 1). The client "
            "address (rate limits, logs) is that many entries from the right, as Werkzeug's "
            "`ProxyFix` counts; 0 uses the socket address and ignores the header."),
    Setting("cors_origins", ("IRIS_CORS_ORIGINS",), (), _keys,
            "Origins allowed to call the API from a browser, comma-separated (e.g. "
            "`https://app.example.com`; `*` for any). Default: none, and no CORS headers "
            "are sent."),
    Setting("engine", ("IRIS_ENGINE",), "auto", _choice("auto", "structural", "llm"),
            "`auto`: the LLM engine when one is configured (`OPENAI_API_KEY`, or "
            "`OPENAI_BASE_URL` alone for a local server), structural as its fallback; or "
            "`structural`, `llm`."),
    Setting("openai_api_key", ("OPENAI_API_KEY",), None, _opt_str,
            "Enables the LLM engine (OpenAI, or any endpoint that wants a key).", secret=True),
    Setting("openai_base_url", ("OPENAI_BASE_URL",), None, _opt_str,
            "Any OpenAI-compatible endpoint (vLLM, Ollama, llama.cpp, Azure…); alone, with no "
            "key, it enables the LLM engine for a local server. Default: OpenAI."),
    Setting("model", ("IRIS_MODEL",), "gpt-4.1-mini", _str, "Model name for the LLM engine."),
    Setting("llm_api", ("IRIS_LLM_API",), "auto", _choice("auto", "responses", "chat"),
            "`responses` or `chat`; `auto` uses Responses on OpenAI, Chat Completions "
            "elsewhere."),
    Setting("llm_mode", ("IRIS_LLM_MODE",), "guided", _choice("guided", "ranges"),
            "`guided`: the model groups numbered syntax units; `ranges`: it returns line "
            "ranges."),
    Setting("llm_timeout", ("IRIS_LLM_TIMEOUT",), 8.0, _float,
            "Seconds one LLM call may take."),
    Setting("llm_deadline", ("IRIS_LLM_DEADLINE",), 12.0, _float,
            "Seconds the LLM engine may spend on one request, retries included."),
    Setting("structural_budget", ("IRIS_STRUCTURAL_BUDGET",), 2.5, _float,
            "Seconds the structural engine may spend on one file; past it the analysis is "
            "stopped and the answer is line slices (`Lines 1-400`, …) marked `degraded`, "
            "not cached. The LLM engine's budget is `IRIS_LLM_DEADLINE`. A tree-sitter parse "
            "checks it too, so even a grammar that would run for minutes on random bytes "
            "stops in time.",
            shown_default="`2.5` (room to read a 1 MB body and write the answer within 3 s)"),
    Setting("llm_max_retries", ("IRIS_LLM_MAX_RETRIES",), 3, _int,
            "Retries on 429, 5xx and connection errors, within the deadline."),
    Setting("llm_prices", ("IRIS_LLM_PRICES",), None, _opt_str,
            "JSON object model → [input, cached input, output] USD per million tokens."),
    Setting("cache_dir", ("IRIS_CACHE_DIR",), ".iris", _str,
            "Base folder for the SQLite cache and state."),
    Setting("cache_url", ("IRIS_CACHE_URL",), None, _opt_str,
            "`sqlite:///path`, `redis://host:port/db`, `dynamodb://TABLE?region=REGION"
            "[&endpoint_url=URL][&client=boto3]` or `memory://`. DynamoDB needs the `aws` "
            "extra unless the credentials are in the environment (Lambda). Passwords in it "
            "are masked wherever it is shown.",
            shown_default="SQLite in `IRIS_CACHE_DIR`"),
    Setting("cache_ttl", ("IRIS_CACHE_TTL",), 30 * 24 * 3600, _int,
            "Seconds a cache entry lives."),
    Setting("cache_max_bytes", ("IRIS_CACHE_MAX_BYTES",), 512 * 1024 * 1024, _int,
            "Size cap of the SQLite cache; least recently used entries go first."),
    Setting("memory_cache_entries", ("IRIS_MEMORY_CACHE_ENTRIES",), 2048, _int,
            "Entries the in-process cache tier keeps."),
    Setting("memory_cache_bytes", ("IRIS_MEMORY_CACHE_BYTES",), 64 * 1024 * 1024, _int,
            "Bytes the in-process cache tier keeps."),
    Setting("max_source_bytes", ("IRIS_MAX_SOURCE_BYTES",), 1024 * 1024, _int,
            "Largest request body accepted; larger gets 413."),
    Setting("max_metadata_bytes", ("IRIS_MAX_METADATA_BYTES",), 16 * 1024, _int,
            "Largest `metadata` object accepted (as compact JSON), nested at most "
            "8 levels; larger gets 422 `metadata_too_large`."),
    Setting("read_timeout", ("IRIS_READ_TIMEOUT",), 10.0, _float,
            "Seconds a client has to send a whole request, head and body, to `iris serve`; "
            "past it the answer is 408 and the connection closes. A slow client holds no "
            "thread meanwhile."),
    Setting("host", ("IRIS_HOST",), "127.0.0.1", _str,
            "Address `iris serve` binds (`--host`); a non-loopback one needs an API key."),
    Setting("port", ("IRIS_PORT",), 8080, _int, "Port `iris serve` binds (`--port`)."),
    Setting("workers", ("IRIS_WORKERS",), 2, _int, "Gunicorn worker processes."),
    Setting("threads", ("IRIS_THREADS",), 64, _int,
            "Threads per worker; LLM calls wait on I/O, so keep this well above 1."),
    Setting("access_log", ("IRIS_ACCESS_LOG",), "work", _choice("all", "work", "off"),
            "Access log lines: all requests; work (all but successful cache hits, which "
            "metrics count); off."),
    Setting("env", ("IRIS_ENV",), "dev", _str, "Label in logs and metrics."),
    Setting("log_level", ("IRIS_LOG_LEVEL",), "INFO", _log_level,
            "Logging level: DEBUG, INFO, WARNING, ERROR."),
    Setting("log_format", ("IRIS_LOG_FORMAT",), "text", _choice("text", "json"),
            "`text`, or `json`: one object per line with request id, key name, status, "
            "latency, engine, cache hit, tokens and cost (never source or keys)."),
    Setting("lambda_warm", ("IRIS_LAMBDA_WARM",), "init", _choice("init", "off"),
            "`init`: on AWS Lambda, build the app and warm the engine (its modules, word "
            "lists, a grammar, the cache connection) while Lambda initialises the "
            "environment, a phase AWS runs on a full vCPU whatever the function's memory; "
            "`off`: the first request does that work and the import stays about 10 ms. "
            "Ignored outside Lambda."),
    Setting("metrics_sink", ("IRIS_METRICS",), "prometheus", _choice("prometheus", "emf", "off"),
            "`prometheus`: `GET /metrics`; `emf`: instead, one CloudWatch Embedded Metric "
            "Format line per analyze answer on stdout (Lambda); `off`: no metrics "
            "(`GET /metrics` is a 404).",
            shown_default="`prometheus` (`off` in the Lambda handler: nothing can scrape a "
            "function)"),
)
# fmt: on


@dataclass(frozen=True)
class Settings:
    """Every setting's value; build with ``Settings.from_env``."""

    api_keys: tuple[str, ...] = ()
    api_key_hashes: tuple[str, ...] = ()
    api_keys_file: str | None = None
    rate_limit: tuple[int, float] | None = None
    rate_limit_hits: tuple[int, float] | None = None
    trusted_proxies: int = 0
    cors_origins: tuple[str, ...] = ()
    engine: str = "auto"
    openai_api_key: str | None = None
    openai_base_url: str | None = None
    model: str = "gpt-4.1-mini"
    llm_api: str = "auto"
    llm_mode: str = "guided"
    llm_timeout: float = 8.0
    llm_deadline: float = 12.0
    structural_budget: float = 2.5
    llm_max_retries: int = 3
    llm_prices: str | None = None
    cache_dir: str = ".iris"
    cache_url: str | None = None
    cache_ttl: int = 30 * 24 * 3600
    cache_max_bytes: int = 512 * 1024 * 1024
    memory_cache_entries: int = 2048
    memory_cache_bytes: int = 64 * 1024 * 1024
    max_source_bytes: int = 1024 * 1024
    max_metadata_bytes: int = 16 * 1024
    read_timeout: float = 10.0
    host: str = "127.0.0.1"
    port: int = 8080
    workers: int = 2
    threads: int = 64
    access_log: str = "work"
    env: str = "dev"
    log_level: str = "INFO"
    log_format: str = "text"
    lambda_warm: str = "init"
    metrics_sink: str = "prometheus"
    extra: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_env(
        cls, environ: Mapping[str, str] | None = None, *, dotenv: bool = True, **overrides: Any
    ) -> Settings:
        """Defaults, then ``.env``, then the environment, then ``overrides``."""
        if environ is None:
            if dotenv:
                _load_dotenv()
            environ = os.environ
        values: dict[str, Any] = {}
        for setting in SETTINGS:
            raw = next((environ[name] for name in setting.env if environ.get(name)), None)
            if raw is None:
                continue
            try:
                values[setting.name] = setting.parse(raw)
            except ValueError as exc:
                shown = "(hidden)" if setting.secret else repr(raw)
                raise ConfigError(f"{setting.env[0]}={shown} is invalid: {exc}") from None
        values.update(overrides)
        return cls(**values)

    def replace(self, **changes: Any) -> Settings:
        """A copy with some values changed."""
        return dataclasses.replace(self, **changes)

    @property
    def cache_path(self) -> Path:
        return Path(self.cache_dir)

    @property
    def keys_path(self) -> Path:
        return Path(self.api_keys_file) if self.api_keys_file else self.cache_path / "api-keys.json"

    @property
    def llm_configured(self) -> bool:
        """An LLM endpoint is set: a key (OpenAI or any), or a base URL that is not OpenAI's.

        A local server (Ollama, llama.cpp, vLLM) needs no key, so ``OPENAI_BASE_URL`` alone
        turns the engine on; OpenAI's own API always needs one.
        """
        if self.openai_api_key:
            return True
        base = self.openai_base_url
        return base is not None and not _is_openai(base)

    def llm_warnings(self) -> list[str]:
        """Sentences for an LLM configuration that may not do what was meant (none if clear)."""
        base, key = self.openai_base_url, self.openai_api_key
        if self.engine == "structural":
            return []
        if base and not key and _is_openai(base):
            return [
                "OPENAI_BASE_URL is OpenAI's own API, which needs OPENAI_API_KEY: the "
                "structural engine answers until it is set."
            ]
        if base and not key and not _is_local(base):
            host = urlsplit(base).hostname or base
            return [
                f"OPENAI_BASE_URL ({host}) is set without OPENAI_API_KEY: the LLM engine "
                "calls it with no key; set OPENAI_API_KEY if that endpoint needs one."
            ]
        if not base and not key and self.model != _DEFAULT_MODEL:
            return [
                f"IRIS_MODEL={self.model} is set, but no LLM endpoint is: set "
                "OPENAI_BASE_URL (a local server) or OPENAI_API_KEY (OpenAI). The "
                "structural engine answers."
            ]
        return []

    def public(self) -> dict[str, Any]:
        """Settings with secrets masked, safe to log or show (passwords in URLs too)."""
        shown: dict[str, Any] = {}
        for setting in SETTINGS:
            value = getattr(self, setting.name)
            if setting.secret:
                value = "***" if value else value
            elif isinstance(value, str):
                value = mask_url(value)
            shown[setting.name] = value
        return shown


_DEFAULT_MODEL = "gpt-4.1-mini"


def _is_openai(url: str) -> bool:
    return (urlsplit(url).hostname or "").lower() == "api.openai.com"


def _is_local(url: str) -> bool:
    """A loopback, private-network or ``.local``/``localhost`` host: a self-hosted model."""
    host = (urlsplit(url).hostname or "").lower()
    if host in ("localhost", "host.docker.internal") or host.endswith((".local", ".localhost")):
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return "." not in host  # a bare name on the local network or in compose (`ollama`)
    return address.is_loopback or address.is_private or address.is_link_local


def mask_url(text: str) -> str:
    """``text`` with what a URL in it carries as a secret shown as ``***``.

    The one masker for every URL IRIS shows (``iris config``, health, logs): the password
    of ``scheme://user:password@host``, and each query value whose name says secret
    (``?password=``, ``api-key``, ``access_token``, ``sig``…), as Redis URLs and some
    OpenAI-compatible gateways take them.
    """
    if "://" not in text:
        return text
    text = _URL_PASSWORD.sub(r"\1***@", text)
    return _SECRET_PARAMETER.sub(r"\1***", text)


_URL_PASSWORD = re.compile(r"(://[^/@:\s]*:)[^/@\s]*@")
_SECRET_PARAMETER = re.compile(
    r"([?&;][^=&#;\s]*(?:pass|pwd|secret|token|key|auth|sig|credential)[^=&#;\s]*=)[^&#;\s]+",
    re.IGNORECASE,
)


def _load_dotenv() -> None:
    # Imported here: python-dotenv is only needed when a process starts from the environment.
    from dotenv import load_dotenv

    load_dotenv(Path.cwd() / ".env", override=False)
