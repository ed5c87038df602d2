"""The ``iris`` command: serve, analyze, languages, config, cache, keys, lsp, mcp."""

from __future__ import annotations

import ipaddress
import json
import sys
from typing import TYPE_CHECKING, Any

import click

from .config import SETTINGS, Settings
from .errors import IrisError

if TYPE_CHECKING:
    from .keys import KeyStore


def _settings_epilog() -> str:
    # "\b" keeps click from re-wrapping the block into one paragraph.
    lines = ["\b", "Settings (environment variables; a .env file is honoured):"]
    for setting in SETTINGS:
        default = "" if setting.secret or setting.default in (None, ()) else f" [{setting.default}]"
        lines.append(f"  {' / '.join(setting.env)}{default}")
    lines.append("See docs/configuration.md or `iris config` for what each one does.")
    return "\n".join(lines)


def load_settings(**overrides: Any) -> Settings:
    """Settings from the environment; configuration errors become one clean CLI line."""
    try:
        return Settings.from_env(**{k: v for k, v in overrides.items() if v is not None})
    except IrisError as exc:
        raise click.UsageError(exc.message) from None


@click.group(epilog=_settings_epilog(), context_settings={"max_content_width": 100})
@click.version_option(package_name="iris-codes")
def main() -> None:
    """IRIS: a table of contents for any source file."""


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@main.command()
@click.option("--host", help="Address to bind [IRIS_HOST, 127.0.0.1].")
@click.option("--port", type=int, help="Port to bind [IRIS_PORT, 8080].")
@click.option("--workers", type=click.IntRange(1), help="Worker processes [IRIS_WORKERS, 2].")
@click.option("--threads", type=click.IntRange(1), help="Threads per worker [IRIS_THREADS, 64].")
@click.option(
    "--insecure-no-auth",
    is_flag=True,
    help="Allow binding a non-loopback address with no API key configured.",
)
def serve(
    host: str | None,
    port: int | None,
    workers: int | None,
    threads: int | None,
    insecure_no_auth: bool,
) -> None:
    """Start the HTTP server (Gunicorn, threaded workers)."""
    settings = load_settings(host=host, port=port, workers=workers, threads=threads)
    if not _auth_enabled(settings) and not is_loopback(settings.host) and not insecure_no_auth:
        raise click.UsageError(
            f"Refusing to serve {settings.host} with no API key: set IRIS_API_KEY, create "
            "one with `iris keys create NAME`, bind 127.0.0.1, or pass --insecure-no-auth."
        )
    _check_service(settings)
    from .deploy.gunicorn import serve as run_gunicorn
    from .metrics import prepare_multiprocess

    # Before any worker exists: every worker then writes its metrics where /metrics reads.
    prepare_multiprocess(str(settings.cache_path / "prometheus"))
    banner = (
        f"IRIS on http://{settings.host}:{settings.port} "
        f"({settings.workers} workers x {settings.threads} threads, engine {settings.engine})"
    )
    if settings.log_format == "json":  # every line of the log one JSON object
        import logging

        from .logformat import JsonFormatter

        record = logging.makeLogRecord(
            {"name": __name__, "levelname": "INFO", "levelno": logging.INFO, "msg": banner}
        )
        banner = JsonFormatter(settings.env).format(record)
    click.echo(banner, err=True)
    run_gunicorn(settings)


def _check_service(settings: Settings) -> None:
    from .service import Service

    try:
        Service(settings)
    except IrisError as exc:
        raise click.UsageError(exc.message) from None


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, allow_dash=True))
@click.option("--json", "as_json", is_flag=True, help="Print JSON (one file: the API's body).")
@click.option(
    "--markdown",
    "markdown_path",
    type=click.Path(dir_okay=False, writable=True),
    help="Also write a Markdown report (overview, then each file's linked ranges) to FILE.",
)
@click.option("--language", help="Editor language id; detected from the name when omitted.")
@click.option(
    "--engine", type=click.Choice(["auto", "structural", "llm"]), help="Engine [IRIS_ENGINE]."
)
@click.option("--include", multiple=True, metavar="GLOB", help="Only files matching (repeatable).")
@click.option("--exclude", multiple=True, metavar="GLOB", help="Leave out matches (repeatable).")
@click.option("--jobs", type=click.IntRange(1), help="Parallel analyses [one per core].")
@click.option("--server", metavar="URL", help="Analyse on a running IRIS server instead.")
@click.option("--api-key", metavar="KEY", help="Key for --server [IRIS_API_KEY, the first one].")
def analyze(
    paths: tuple[str, ...],
    as_json: bool,
    markdown_path: str | None,
    language: str | None,
    engine: str | None,
    include: tuple[str, ...],
    exclude: tuple[str, ...],
    jobs: int | None,
    server: str | None,
    api_key: str | None,
) -> None:
    """Print the table of contents of each file in PATHS (files or folders).

    Folders are walked honouring .gitignore; vendored folders, binary files, minified
    bundles, files over IRIS_MAX_SOURCE_BYTES and unsupported languages are skipped.
    """
    from .cli_analyze import AnalyzeOptions, run_analyze

    if server and engine:
        raise click.UsageError("--engine applies to local analysis; the server picks its own.")
    settings = load_settings(engine=engine)
    options = AnalyzeOptions(
        paths=paths,
        as_json=as_json,
        markdown_path=markdown_path,
        language=language,
        include=include,
        exclude=exclude,
        jobs=jobs,
        server=server,
        api_key=api_key or (settings.api_keys[0] if settings.api_keys else None),
    )
    try:
        code = run_analyze(settings, options)
    except IrisError as exc:
        raise click.ClickException(exc.message) from None
    if code:
        sys.exit(code)


def _key_store(settings: Settings) -> KeyStore:
    from .keys import KeyStore

    return KeyStore(settings.keys_path)


def _auth_enabled(settings: Settings) -> bool:
    """Whether the server will ask for a key (an existing keys file counts, even empty)."""
    from .keys import Authenticator

    store = _key_store(settings)
    return Authenticator(settings.api_keys, store, settings.api_key_hashes).enabled


@main.group()
def keys() -> None:
    """Manage named API keys (stored hashed in IRIS_API_KEYS_FILE)."""


@keys.command("create")
@click.argument("name")
def keys_create(name: str) -> None:
    """Create a key called NAME and print it once."""
    settings = load_settings()
    try:
        key = _key_store(settings).create(name)
    except IrisError as exc:
        raise click.ClickException(exc.message) from None
    click.echo(key)
    click.echo(
        f"Stored the hash of key {name!r} in {settings.keys_path}; copy the key now.", err=True
    )


@keys.command("hash")
@click.argument("key", required=False)
def keys_hash(key: str | None) -> None:
    """Print the SHA-256 digest of KEY (read from stdin when omitted) for IRIS_API_KEY_HASHES."""
    from .keys import hash_key

    if key is None:
        key = sys.stdin.readline()
    if not key.strip():
        raise click.UsageError("Give the key as an argument or on stdin.")
    click.echo(hash_key(key))


@keys.command("list")
def keys_list() -> None:
    """List key names and creation times (never the keys)."""
    try:
        stored = _key_store(load_settings()).load()
    except IrisError as exc:
        raise click.ClickException(exc.message) from None
    for key in stored:
        click.echo(f"{key.name:<24} created {key.created}")


@keys.command("revoke")
@click.argument("name")
def keys_revoke(name: str) -> None:
    """Revoke the key called NAME; running servers notice within a second."""
    settings = load_settings()
    store = _key_store(settings)
    try:
        if not store.revoke(name):
            raise click.ClickException(f"No key named {name!r}.")
        left = store.load()
    except IrisError as exc:
        raise click.ClickException(exc.message) from None
    click.echo(f"Revoked {name!r}.")
    if not left and not (settings.api_keys or settings.api_key_hashes):
        click.echo(
            f"Warning: that was the last key in {settings.keys_path}. Auth stays on: servers "
            "using this file now refuse every request (401) until you create a key with "
            "`iris keys create NAME`. To turn auth off, delete the file and restart them.",
            err=True,
        )


@main.command()
def languages() -> None:
    """List the supported languages and their file extensions."""
    from .syntax.languages import LANGUAGES

    for lang in sorted(LANGUAGES, key=lambda lang: lang.id):
        click.echo(f"{lang.id:<18} {' '.join(lang.extensions)}")


@main.command()
@click.option("--markdown", is_flag=True, help="Print the settings table as Markdown.")
def config(markdown: bool) -> None:
    """Show the effective settings (secrets masked)."""
    if markdown:
        click.echo(settings_markdown())
        return
    settings = load_settings()
    for name, value in settings.public().items():
        click.echo(f"{name} = {value!r}")
    for warning in settings.llm_warnings():
        click.echo(f"warning: {warning}", err=True)


def settings_markdown() -> str:
    """The settings table as it appears in docs/configuration.md (a test keeps them equal)."""
    rows = ["| variable | meaning | default |", "|---|---|---|"]
    for setting in SETTINGS:
        names = " / ".join(f"`{name}`" for name in setting.env)
        default = setting.shown_default or (
            "none" if setting.default in (None, ()) else f"`{setting.default}`"
        )
        rows.append(f"| {names} | {setting.help.replace('|', '/')} | {default} |")
    return "\n".join(rows)


@main.group()
def cache() -> None:
    """Inspect and maintain the shared cache (SQLite file, Redis or DynamoDB)."""


def _cache_report(action: str) -> dict[str, Any]:
    from .cache import admin

    run = {
        "init": admin.cache_init,
        "stats": admin.cache_stats,
        "prune": admin.cache_prune,
        "clear": admin.cache_clear,
    }
    try:
        return run[action](load_settings())
    except IrisError as exc:
        raise click.ClickException(exc.message) from None


def _echo_report(report: dict[str, Any], as_json: bool) -> None:
    if as_json:
        click.echo(json.dumps(report, indent=2))
        return
    for name, value in report.items():
        if isinstance(value, dict):
            value = ", ".join(f"{k} {v}" for k, v in value.items())
        click.echo(f"{name.replace('_', ' '):<17} {value}")


@cache.command("init")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def cache_init(as_json: bool) -> None:
    """Create the shared tier if missing (a DynamoDB table: on-demand, TTL enabled)."""
    _echo_report(_cache_report("init"), as_json)


@cache.command("stats")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def cache_stats(as_json: bool) -> None:
    """Entries, bytes, oldest entry and hit rate per tier (all processes)."""
    _echo_report(_cache_report("stats"), as_json)


@cache.command("prune")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def cache_prune(as_json: bool) -> None:
    """Remove expired entries and stale locks; enforce the size cap."""
    _echo_report(_cache_report("prune"), as_json)


@cache.command("clear")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def cache_clear(yes: bool, as_json: bool) -> None:
    """Remove every cached analysis."""
    if not yes:
        click.confirm("Remove every cached analysis?", abort=True)
    _echo_report(_cache_report("clear"), as_json)


@main.command()
@click.option("--tcp", metavar="HOST:PORT", help="Listen on TCP instead of stdin/stdout.")
@click.option(
    "--url",
    metavar="URL",
    help="Analyse through a running IRIS server (sends IRIS_API_KEY as X-API-Key).",
)
def lsp(tcp: str | None, url: str | None) -> None:
    """Run a language server showing the table of contents in any editor (stdio)."""
    try:
        import pygls  # noqa: F401
    except ImportError:
        from .extras import install_hint

        raise click.ClickException(
            f"The language server needs pygls: {install_hint('lsp')}"
        ) from None
    import logging

    from .lsp import HttpAnalyzer, IrisLanguageServer, LocalAnalyzer

    address = _tcp_address(tcp) if tcp else None
    settings = load_settings()
    # stdout carries the protocol, so logs go to stderr only.
    logging.basicConfig(stream=sys.stderr, level=settings.log_level)
    # pygls logs whole messages (document text included) below ERROR.
    logging.getLogger("pygls").setLevel(logging.ERROR)
    try:
        analyzer = (
            HttpAnalyzer(url, settings.api_keys[0] if settings.api_keys else None)
            if url
            else LocalAnalyzer(settings)
        )
    except IrisError as exc:
        raise click.UsageError(exc.message) from None
    server = IrisLanguageServer(analyzer)
    if address:
        server.start_tcp(*address)
    else:
        server.start_io()


def _tcp_address(value: str) -> tuple[str, int]:
    host, _, port = value.rpartition(":")
    if not host or not port.isdigit():
        raise click.BadParameter("expected HOST:PORT, e.g. 127.0.0.1:2087", param_hint="--tcp")
    return host, int(port)


@main.command("mcp")
@click.option(
    "--root",
    "roots",
    multiple=True,
    type=click.Path(exists=True, file_okay=False),
    help="Folder the tools may read (repeatable) [the client's roots, else the working directory].",
)
@click.option("--http", "http", is_flag=True, help="Serve streamable HTTP instead of stdio.")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address for --http.")
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=8765,
    show_default=True,
    help="Port for --http.",
)
@click.option(
    "--engine", type=click.Choice(["auto", "structural", "llm"]), help="Engine [IRIS_ENGINE]."
)
def mcp(roots: tuple[str, ...], http: bool, host: str, port: int, engine: str | None) -> None:
    """Serve outline tools to coding agents over MCP (stdio; --http for streamable HTTP).

    Tools: outline_file (intent and blocks), read_block (one block's lines) and
    outline_repository (each file's intent). Paths are confined to the client's roots,
    else the --root folders or the working directory. See docs/mcp.md.
    """
    from . import mcp_server

    if not mcp_server.sdk_available():
        raise click.ClickException(mcp_server.install_hint())
    if http and not is_loopback(host):
        raise click.UsageError(
            f"Refusing to serve MCP on {host}: the HTTP transport has no authentication; "
            "bind a loopback address."
        )
    settings = load_settings(engine=engine)
    _check_service(settings)
    if http:
        click.echo(f"IRIS MCP on http://{host}:{port}{mcp_server.HTTP_PATH}", err=True)
    mcp_server.serve(settings, roots, http=(host, port) if http else None)
