"""The pygls language server: open documents, debounced analyses, and the request handlers.

Every document version is analysed at most once, on a worker thread, and its answer is
kept until the next version; requests wait for the current version's answer. All state
below is touched only on the event loop thread, so it needs no locks.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
import sys
import traceback
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import msgspec
from lsprotocol import types
from pygls.exceptions import JsonRpcInvalidParams, JsonRpcInvalidRequest
from pygls.lsp.server import LanguageServer

from .. import __version__
from ..errors import IrisError
from ..textsafe import printable
from . import convert
from .backends import Analyzer, uri_to_filename

log = logging.getLogger(__name__)

ANALYZE_METHOD = "iris/analyze"
DEBOUNCE_SECONDS = 0.3


class Result(msgspec.Struct, frozen=True):
    """One document version's answer: the API body (success or error) and its lines."""

    filename: str
    version: int
    body: dict[str, Any]
    lines: tuple[str, ...]


class _Document(msgspec.Struct):
    """What the server knows of one open document."""

    version: int = -1
    answer: asyncio.Future[Result] | None = None  # analysis of `version`, running or done
    timer: asyncio.TimerHandle | None = None  # a debounced analysis waiting to start


class _Snapshot(msgspec.Struct, frozen=True):
    uri: str
    version: int
    language: str | None
    source: str


class IrisLanguageServer:
    """IRIS's table of contents as symbols, hovers, highlights, code lenses and folds."""

    def __init__(
        self, analyzer: Analyzer, *, debounce: float = DEBOUNCE_SECONDS, workers: int = 2
    ) -> None:
        self.analyzer = analyzer
        self.debounce = debounce
        self.server = LanguageServer("iris", __version__)
        self._executor = ThreadPoolExecutor(workers, thread_name_prefix="iris-lsp")
        self._documents: dict[str, _Document] = {}
        self._closed = False
        self._register()
        self._executor.submit(self._warm_up)

    def start_io(self) -> None:
        """Serve one client over stdin/stdout until it exits."""
        stdin, stdout = sys.stdin.buffer, sys.stdout.buffer
        # The protocol owns stdout; a stray print() anywhere must not corrupt it.
        sys.stdout = sys.stderr
        self.server.start_io(stdin, stdout)

    def start_tcp(self, host: str, port: int) -> None:
        """Serve one client over TCP on ``host:port``."""
        self.server.start_tcp(host, port)

    def _register(self) -> None:
        handlers: list[tuple[str, Callable[..., Any], Any]] = [
            (types.TEXT_DOCUMENT_DID_OPEN, self._did_open, None),
            (types.TEXT_DOCUMENT_DID_CHANGE, self._did_change, None),
            (types.TEXT_DOCUMENT_DID_SAVE, self._did_save, None),
            (types.TEXT_DOCUMENT_DID_CLOSE, self._did_close, None),
            (types.TEXT_DOCUMENT_DOCUMENT_SYMBOL, self._document_symbol, None),
            (types.TEXT_DOCUMENT_HOVER, self._hover, None),
            (types.TEXT_DOCUMENT_DOCUMENT_HIGHLIGHT, self._document_highlight, None),
            (types.TEXT_DOCUMENT_CODE_LENS, self._code_lens, types.CodeLensOptions()),
            (types.TEXT_DOCUMENT_FOLDING_RANGE, self._folding_range, None),
            (ANALYZE_METHOD, self._analyze_request, None),
            (types.SHUTDOWN, self._shutdown, None),
        ]
        for method, handler, options in handlers:
            self.server.feature(method, options)(_plain(handler))

        # pygls passes a command's arguments one by one and advertises it in
        # executeCommandProvider.
        async def reanalyze(*arguments: Any) -> Any:
            return await self._reanalyze(*arguments)

        self.server.command(convert.REANALYZE_COMMAND)(reanalyze)

    # Notifications: keep the documents' analyses current.

    def _did_open(self, params: types.DidOpenTextDocumentParams) -> None:
        self._documents[params.text_document.uri] = _Document()
        self._schedule(params.text_document.uri, delay=0.0)

    def _did_change(self, params: types.DidChangeTextDocumentParams) -> None:
        self._schedule(params.text_document.uri, delay=self.debounce)

    def _did_save(self, params: types.DidSaveTextDocumentParams) -> None:
        self._schedule(params.text_document.uri, delay=0.0)

    def _did_close(self, params: types.DidCloseTextDocumentParams) -> None:
        document = self._documents.pop(params.text_document.uri, None)
        if document is not None and document.timer is not None:
            document.timer.cancel()

    def _shutdown(self, params: Any = None) -> None:
        for document in self._documents.values():
            if document.timer is not None:
                document.timer.cancel()
        self._closed = True
        self._executor.shutdown(wait=False, cancel_futures=True)
        self.analyzer.close()

    # Requests: answer from the current version's analysis.

    async def _document_symbol(
        self, params: types.DocumentSymbolParams
    ) -> list[types.DocumentSymbol]:
        result = await self._current(params.text_document.uri)
        if result is None:
            return []
        return convert.document_symbols(result.body, result.lines, self._encoding())

    async def _hover(self, params: types.HoverParams) -> types.Hover | None:
        result = await self._current(params.text_document.uri)
        if result is None:
            return None
        line, encoding = params.position.line, self._encoding()
        return convert.hover(result.body, line, result.lines, encoding, markdown=self._markdown())

    async def _document_highlight(
        self, params: types.DocumentHighlightParams
    ) -> list[types.DocumentHighlight]:
        result = await self._current(params.text_document.uri)
        if result is None:
            return []
        line = params.position.line
        return convert.document_highlights(result.body, line, result.lines, self._encoding())

    async def _code_lens(self, params: types.CodeLensParams) -> list[types.CodeLens]:
        uri = params.text_document.uri
        result = await self._current(uri)
        return convert.code_lenses(result.body, uri) if result else []

    async def _folding_range(self, params: types.FoldingRangeParams) -> list[types.FoldingRange]:
        result = await self._current(params.text_document.uri)
        return convert.folding_ranges(result.body) if result else []

    async def _analyze_request(self, params: Any) -> dict[str, Any]:
        try:
            uri = str(params.textDocument.uri)
        except AttributeError:
            raise JsonRpcInvalidParams("Expected {textDocument: {uri}}.") from None
        result = await self._current(uri)
        if result is None:
            raise JsonRpcInvalidParams(f"Document {uri} is not open.")
        return result.body

    async def _reanalyze(self, *arguments: Any) -> Any:
        """``iris.reanalyze``: analyse documents now, skipping the debounce.

        Returns the API body for one URI, else ``{uri: body}`` (no URI: every open document).
        """
        uris = [_uri_argument(argument) for argument in arguments]
        for uri in uris:
            if uri not in self._documents:
                raise JsonRpcInvalidParams(f"Document {uri} is not open.")
        answers = {uri: self._restart(uri) for uri in uris or list(self._documents)}
        bodies = {uri: (await asyncio.shield(answer)).body for uri, answer in answers.items()}
        self._ask_for_refresh()
        return bodies[uris[0]] if len(uris) == 1 else bodies

    def _ask_for_refresh(self) -> None:
        """Ask the client to re-request lenses and folds, where it says it can.

        LSP has no such request for document symbols; editors ask for them again on their own.
        The client's answer carries nothing, so nothing waits for it.
        """
        workspace = self.server.client_capabilities.workspace
        if workspace is None:
            return
        if workspace.code_lens is not None and workspace.code_lens.refresh_support:
            self.server.workspace_code_lens_refresh(None)
        if workspace.folding_range is not None and workspace.folding_range.refresh_support:
            self.server.workspace_folding_range_refresh(None)

    def _encoding(self) -> str:
        negotiated = self.server.workspace.position_encoding  # an enum, or the client's string
        return str(getattr(negotiated, "value", negotiated) or convert.UTF16)

    def _markdown(self) -> bool:
        """Whether hovers may be Markdown: yes unless the client lists formats without it."""
        text_document = self.server.client_capabilities.text_document
        hover = text_document.hover if text_document is not None else None
        formats = hover.content_format if hover is not None else None
        return not formats or types.MarkupKind.Markdown in formats

    # Analyses.

    def _schedule(self, uri: str, *, delay: float) -> None:
        """Analyse ``uri``'s current version after ``delay`` seconds, unless already done."""
        document = self._documents.get(uri)
        if document is None:
            return
        if document.timer is not None:
            document.timer.cancel()
            document.timer = None
        if document.answer is not None and document.version == self._version(uri):
            return
        if delay > 0:
            loop = asyncio.get_running_loop()
            document.timer = loop.call_later(delay, self._start, uri)
        else:
            self._start(uri)

    def _restart(self, uri: str) -> asyncio.Future[Result]:
        """Analyse ``uri``'s current text now, even when this version already has an answer."""
        document = self._documents[uri]
        if document.timer is not None:
            document.timer.cancel()
        answer = self._start(uri)
        if answer is None:
            raise JsonRpcInvalidRequest("The server is shutting down.")
        return answer

    def _start(self, uri: str) -> asyncio.Future[Result] | None:
        """Start analysing ``uri``'s current version; None once the server is shut down."""
        document = self._documents.get(uri)
        if document is None or self._closed:
            return None
        document.timer = None
        text = self.server.workspace.get_text_document(uri)
        snapshot = _Snapshot(uri, text.version or 0, text.language_id, text.source)
        document.version = snapshot.version
        loop = asyncio.get_running_loop()
        answer = loop.run_in_executor(self._executor, self._analyze, snapshot)
        answer.add_done_callback(self._report)
        document.answer = answer
        return answer

    async def _current(self, uri: str) -> Result | None:
        """The analysis of ``uri``'s current version, started now if it is pending."""
        document = self._documents.get(uri)
        if document is None:
            return None
        if document.answer is None or document.version != self._version(uri):
            self._schedule(uri, delay=0.0)
        if document.answer is None:
            return None
        # shield: a cancelled request must not cancel the analysis other requests share.
        return await asyncio.shield(document.answer)

    def _version(self, uri: str) -> int:
        return self.server.workspace.get_text_document(uri).version or 0

    def _analyze(self, snapshot: _Snapshot) -> Result:
        """Runs on a worker thread; never raises, so a failure cannot kill the server."""
        filename = uri_to_filename(snapshot.uri)
        try:
            body = self.analyzer.analyze(filename, snapshot.language, snapshot.source)
        except IrisError as exc:
            body = exc.to_dict()
        except Exception as exc:
            # The exception's message may quote the document, so log its type and frames only.
            frames = "".join(traceback.format_tb(exc.__traceback__))
            log.error("Analysis of %s failed with %s:\n%s", filename, type(exc).__name__, frames)
            body = {
                "success": False,
                "error": f"Internal error ({type(exc).__name__}); see the server's log.",
                "code": "internal_error",
            }
        lines = tuple(snapshot.source.replace("\r\n", "\n").replace("\r", "\n").split("\n"))
        return Result(filename, snapshot.version, body, lines)

    def _warm_up(self) -> None:
        try:
            self.analyzer.warm_up()
        except IrisError as exc:
            log.warning("Warm-up failed: %s", exc.message)
        except Exception as exc:
            log.warning("Warm-up failed with %s", type(exc).__name__)

    def _report(self, answer: asyncio.Future[Result]) -> None:
        """Tell the client, in its log, why a document has no table of contents."""
        if answer.cancelled() or answer.exception() is not None:
            return
        result = answer.result()
        if result.body.get("success"):
            return
        self.server.window_log_message(
            types.LogMessageParams(
                type=types.MessageType.Warning,
                message=f"IRIS: no table of contents for {printable(result.filename)}: "
                f"{convert.shown(result.body.get('error'))}",
            )
        )


def _uri_argument(argument: Any) -> str:
    """A command's document argument: a URI, ``{"uri": …}`` or ``{"textDocument": {"uri": …}}``."""
    if isinstance(argument, dict):
        argument = argument.get("textDocument", argument)
        argument = argument.get("uri") if isinstance(argument, dict) else None
    if not isinstance(argument, str):
        raise JsonRpcInvalidParams("Expected a document URI, or an object with its uri.")
    return argument


def _plain(method: Callable[..., Any]) -> Callable[..., Any]:
    """A plain function calling a bound method (pygls tags handlers with attributes)."""
    if inspect.iscoroutinefunction(method):

        async def handle_async(params: Any = None) -> Any:
            return await method(params)

        return handle_async

    def handle(params: Any = None) -> Any:
        return method(params)

    return handle
