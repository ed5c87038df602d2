"""Line-number prefixes are stripped only from a file that carries them on every line."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from iris_codes.numbering import strip_line_numbers

# Lines of code-like text: no newlines (the source is split on them).
line_text = st.text(st.characters(blacklist_characters="\n\r"), max_size=30)
sources = st.lists(line_text, min_size=1, max_size=40).map("\n".join)
property_settings = settings(max_examples=150, deadline=None, database=None)


def extension_numbering(source: str) -> str:
    """What the VS Code extension sends: ``source.split('\\n').map((l, i) => `${i+1} | ${l}`)``."""
    return "\n".join(f"{n} | {line}" for n, line in enumerate(source.split("\n"), start=1))


def aligned_numbering(source: str, width: int = 6) -> str:
    """The right-aligned ``'     1|line'`` form other tools produce."""
    lines = source.split("\n")
    return "\n".join(f"{n:>{width}}|{line}" for n, line in enumerate(lines, start=1))


@property_settings
@given(sources)
def test_extension_numbering_round_trips(source: str) -> None:
    assert strip_line_numbers(extension_numbering(source)) == source


@property_settings
@given(sources, st.integers(min_value=1, max_value=8))
def test_right_aligned_numbering_round_trips(source: str, width: int) -> None:
    assert strip_line_numbers(aligned_numbering(source, width)) == source


@property_settings
@given(sources, st.integers(min_value=1, max_value=8))
def test_a_trailing_newline_after_the_numbers_strips_like_none(source: str, width: int) -> None:
    for numbered in (extension_numbering(source), aligned_numbering(source, width)):
        assert strip_line_numbers(numbered + "\n") == strip_line_numbers(numbered) == source


@property_settings
@given(sources)
def test_numbering_is_stripped_once_only(source: str) -> None:
    twice = extension_numbering(extension_numbering(source))
    assert strip_line_numbers(twice) == extension_numbering(source)


@property_settings
@given(sources, st.data())
def test_a_line_without_its_prefix_leaves_the_file_untouched(
    source: str, data: st.DataObject
) -> None:
    lines = extension_numbering(source).split("\n")
    broken = data.draw(st.integers(min_value=0, max_value=len(lines) - 1))
    lines[broken] = lines[broken].partition("|")[2] or "plain line"
    near_miss = "\n".join(lines)
    assert strip_line_numbers(near_miss) == near_miss


@property_settings
@given(sources, st.integers(min_value=2, max_value=50))
def test_numbering_that_does_not_start_at_one_is_untouched(source: str, start: int) -> None:
    lines = source.split("\n")
    shifted = "\n".join(f"{n} | {line}" for n, line in enumerate(lines, start=start))
    assert strip_line_numbers(shifted) == shifted


def test_a_skipped_number_leaves_the_file_untouched() -> None:
    skipped = "1 | a = 1\n2 | b = 2\n4 | c = 3\n"
    assert strip_line_numbers(skipped) == skipped


def test_table_rows_that_are_not_every_line_are_code() -> None:
    table = 'ROWS = """\n1 | apples\n2 | pears\n"""\n'
    assert strip_line_numbers(table) == table
    leading_rows = "1 | apples\n2 | pears\nprint(ROWS)\n"
    assert strip_line_numbers(leading_rows) == leading_rows


def test_mixed_layouts_are_untouched() -> None:
    mixed = "1 | a = 1\n2| b = 2\n"
    assert strip_line_numbers(mixed) == mixed
    misaligned = "   1|a = 1\n  2|b = 2\n"
    assert strip_line_numbers(misaligned) == misaligned


def test_bitwise_or_expressions_are_code() -> None:
    source = "flags = 1 | 2\nmask = flags | 4\n"
    assert strip_line_numbers(source) == source


def test_blank_lines_with_trimmed_trailing_space_still_count() -> None:
    assert strip_line_numbers("1 | def f():\n2 |\n3 |     return 1\n4 |") == (
        "def f():\n\n    return 1\n"
    )


def test_right_aligned_numbers_wider_than_the_padding() -> None:
    source = "\n".join(f"x{n}" for n in range(1, 12))
    assert strip_line_numbers(aligned_numbering(source, width=1)) == source
