"""Property test: any text in any supported language gets a valid answer within the budget."""

from __future__ import annotations

import time
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from invariants import assert_valid_analysis
from iris_codes.config import Settings
from iris_codes.models import AnalyzeRequest
from iris_codes.service import Service
from iris_codes.syntax.languages import supported_languages

CODE_LIKE = st.text(
    alphabet=st.sampled_from(list("abcdefxyz_019 \t\n(){}[]<>;:,.=+-*/'\"#@!$%&|\\`~^")),
    max_size=600,
)
ANY_TEXT = st.text(max_size=300)
SERVICE = Service(
    Settings(cache_dir=str(Path("/nonexistent")), cache_url="memory://", engine="structural")
)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    language=st.sampled_from(supported_languages()),
    source=st.one_of(CODE_LIKE, ANY_TEXT),
)
def test_any_text_in_any_language_gets_a_valid_answer_within_the_budget(
    language: str, source: str
) -> None:
    if "\x00" in source or any(0xD800 <= ord(c) <= 0xDFFF for c in source):
        return  # refused with 422 before any engine runs
    started = time.monotonic()
    request = AnalyzeRequest(filename="prop", language=language, source_code=source)
    answer = SERVICE.analyze(request).to_dict()
    assert time.monotonic() - started < SERVICE.settings.structural_budget + 5
    assert_valid_analysis(answer, source.replace("\r\n", "\n").replace("\r", "\n"))
