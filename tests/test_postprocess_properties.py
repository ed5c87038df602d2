"""Property tests: whatever an engine returns, post-processing makes it meet the invariants."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from invariants import assert_valid_analysis
from iris_codes import postprocess
from iris_codes.models import Analysis, Block

# Any text an engine (or a model) might put in a label: words, punctuation, huge tokens.
TEXT = st.one_of(
    st.text(max_size=40),
    st.text(alphabet=st.characters(codec="utf-8"), max_size=300),
    st.builds(lambda n: "x" * n, st.integers(80, 5_000)),
    # Escape sequences and every C0/C1 control, as a docstring or a model may carry them.
    st.text(alphabet=st.characters(max_codepoint=0xA0), max_size=60),
    st.sampled_from(["misc", "Helpers", "utilities and other", "", "  ", "`code`", "a b"]),
)
RANGE = st.tuples(st.integers(-5, 400), st.integers(-5, 400))
BLOCK = st.builds(Block, TEXT, TEXT, st.lists(RANGE, max_size=6).map(tuple))
SOURCE = st.one_of(
    st.lists(st.text(alphabet=st.characters(blacklist_characters="\n\r"), max_size=30),
             max_size=300).map("\n".join),
    st.sampled_from(["", "\n", "x = 1", "x = 1\n", "\n\n\n"]),
)  # fmt: skip


def _body(analysis: Analysis) -> dict[str, object]:
    body = analysis.to_dict()
    body["metadata"] = {"engine": "test", "cache_hit": 0, "latency_ms": 0.0}
    return body


@settings(max_examples=300, deadline=None)
@given(source=SOURCE, intent=TEXT, blocks=st.lists(BLOCK, max_size=14))
def test_any_engine_output_meets_the_invariants_after_postprocessing(
    source: str, intent: str, blocks: list[Block]
) -> None:
    enforced = postprocess.enforce(Analysis(intent, tuple(blocks)), source, "any.py")
    assert_valid_analysis(_body(enforced), source)
    assert len(enforced.file_intent) <= postprocess.MAX_INTENT_CHARS
    for block in enforced.blocks:
        assert len(block.label) <= postprocess.MAX_LABEL_CHARS
        assert len(block.description) <= postprocess.MAX_DESCRIPTION_CHARS


@settings(max_examples=100, deadline=None)
@given(source=SOURCE, intent=TEXT, blocks=st.lists(BLOCK, max_size=14))
def test_postprocessing_is_idempotent(source: str, intent: str, blocks: list[Block]) -> None:
    once = postprocess.enforce(Analysis(intent, tuple(blocks)), source, "any.py")
    assert postprocess.enforce(once, source, "any.py") == once
