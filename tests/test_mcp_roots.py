"""Which roots are in force for an MCP request, and how a path is confined to them."""

from __future__ import annotations

import os
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from iris_codes.config import Settings
from iris_codes.mcp_server.roots import (
    PathChanged,
    PathRefused,
    RootPolicy,
    confine,
    open_inside,
    paths_from_uris,
    read_inside,
)
from iris_codes.mcp_server.tools import Outliner
from iris_codes.service import Service


def test_stdio_without_root_options_trusts_the_clients_roots(tmp_path: Path) -> None:
    policy = RootPolicy.create([], http=False, cwd=tmp_path / "cwd")
    elsewhere = tmp_path / "project"
    assert policy.allowed(None) == ((tmp_path / "cwd").resolve(),)
    assert policy.allowed([elsewhere]) == (elsewhere.resolve(),)


def test_root_options_and_http_keep_client_roots_inside_the_servers(tmp_path: Path) -> None:
    (tmp_path / "repo" / "pkg").mkdir(parents=True)
    for policy in (
        RootPolicy.create([str(tmp_path / "repo")], http=False, cwd=tmp_path),
        RootPolicy.create([], http=True, cwd=tmp_path / "repo"),
    ):
        repo = (tmp_path / "repo").resolve()
        assert policy.allowed([tmp_path / "repo" / "pkg"]) == (repo / "pkg",)
        assert policy.allowed([tmp_path]) == (repo,)  # a wider client root narrows to ours
        assert policy.allowed([Path("/usr")]) == ()
        with pytest.raises(PathRefused, match="No root folder is available"):
            confine("x.py", policy.allowed([Path("/usr")]))


def test_only_local_file_uris_name_roots() -> None:
    uris = ["file:///home/me/my%20repo", "https://example.com/repo", "file://host/share"]
    assert paths_from_uris(uris) == [Path("/home/me/my repo")]


def test_confine_reads_relative_paths_against_the_root_holding_them(tmp_path: Path) -> None:
    first, second = tmp_path / "a", tmp_path / "b"
    first.mkdir()
    (second / "src").mkdir(parents=True)
    (second / "src" / "x.py").write_text("x = 1\n")
    assert confine("src/x.py", [first, second]) == ((second / "src" / "x.py"), second)
    assert confine("src/../src/x.py", [first, second])[0] == second / "src" / "x.py"
    with pytest.raises(PathRefused, match="does not exist"):
        confine("missing.py", [first, second])
    with pytest.raises(PathRefused, match="outside the folders"):
        confine("../b/src/x.py", [first])


# -- opening what was checked ---------------------------------------------------------------

RACE_SECONDS = float(os.environ.get("IRIS_RACE_SECONDS", "1.5"))  # make fuzz: longer


@pytest.fixture
def swapped(tmp_path: Path) -> tuple[Path, Path]:
    """A root whose ``pkg`` folder holds ``mod.py``, and an outside folder of the same shape."""
    root, outside = tmp_path / "root", tmp_path / "outside"
    for base, word in ((root, "INSIDE"), (outside, "OUTSIDE")):
        (base / "pkg").mkdir(parents=True)
        (base / "pkg" / "mod.py").write_text(
            f'"""Module {word}."""\n\n\ndef value():\n    return "{word}"\n'
        )
    return root.resolve(), outside.resolve()


def _swap_until(stop: threading.Event, root: Path, outside: Path) -> int:
    """Swap ``root/pkg`` for a link to ``outside/pkg`` and back until ``stop``; swaps done."""
    folder, parked = root / "pkg", root / "pkg.real"
    swaps = 0
    while not stop.is_set():
        folder.rename(parked)
        folder.symlink_to(outside / "pkg", target_is_directory=True)
        folder.unlink()
        parked.rename(folder)
        swaps += 1
    return swaps


def test_read_block_racing_a_folder_swapped_for_a_link_never_returns_the_outside_file(
    swapped: tuple[Path, Path],
) -> None:
    root, outside = swapped
    service = Service(Settings(cache_url="memory://", engine="structural"))
    outliner = Outliner(service)
    stop = threading.Event()
    with ThreadPoolExecutor(1) as pool:
        swapper = pool.submit(_swap_until, stop, root, outside)
        answered = refused = 0
        deadline = time.monotonic() + RACE_SECONDS
        try:
            while time.monotonic() < deadline:
                try:
                    block = outliner.read_block([root], "pkg/mod.py", index=1)
                except PathRefused:
                    refused += 1
                    continue
                assert "OUTSIDE" not in block["text"], "read a file outside the root"
                assert "INSIDE" in block["text"]
                answered += 1
        finally:
            stop.set()
            swaps = swapper.result()
            service.close()
    assert swaps > 50, swaps  # the race really ran
    assert answered > 0, (answered, refused)


def test_read_inside_refuses_a_link_that_appears_after_the_check(
    swapped: tuple[Path, Path],
) -> None:
    root, outside = swapped
    resolved, found_root = confine("pkg/mod.py", [root])
    (root / "pkg").rename(root / "pkg.real")  # the swap lands between check and open
    (root / "pkg").symlink_to(outside / "pkg", target_is_directory=True)
    with pytest.raises(PathChanged):
        open_inside(resolved, found_root)
    (root / "pkg").unlink()
    (root / "pkg.real").rename(root / "pkg")
    (root / "pkg" / "mod.py").unlink()
    (root / "pkg" / "mod.py").symlink_to(outside / "pkg" / "mod.py")  # the file itself, too
    with pytest.raises(PathChanged):
        open_inside(resolved, found_root)


def test_a_fifo_is_called_a_fifo_and_never_opened_for_reading(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe.py")
    with pytest.raises(PathRefused, match=r"'pipe.py' is a FIFO \(named pipe\), not a source"):
        read_inside("pipe.py", [tmp_path.resolve()], 1024)
    service = Service(Settings(cache_url="memory://", engine="structural"))
    try:
        with pytest.raises(PathRefused, match="is a FIFO"):
            Outliner(service).outline_repository([tmp_path.resolve()], "pipe.py")
    finally:
        service.close()


def test_a_folder_given_as_a_file_is_called_a_folder(tmp_path: Path) -> None:
    (tmp_path / "src").mkdir()
    with pytest.raises(PathRefused, match="'src' is a folder; outline_repository"):
        read_inside("src", [tmp_path.resolve()], 1024)


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("a" * 5000, "5000 characters long; a path has at most 4096"),
        ("x" * 300 + ".py", "file name too long"),
        ("/".join(["d"] * 2000), "does not exist"),
    ],
    ids=["5000-chars", "long-component", "deep"],
)
def test_an_overlong_path_is_refused_with_a_sentence(
    tmp_path: Path, path: str, message: str
) -> None:
    with pytest.raises(PathRefused, match=message) as refused:
        confine(path, [tmp_path.resolve()])
    assert len(refused.value.message) < 400  # the path is quoted cut short, not whole
