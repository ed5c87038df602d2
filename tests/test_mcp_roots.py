"""Which roots are in force for an MCP request, and how a path is confined to them."""

from __future__ import annotations

from pathlib import Path

import pytest

from iris_codes.mcp_server.roots import PathRefused, RootPolicy, confine, paths_from_uris


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
