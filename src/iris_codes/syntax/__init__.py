"""Syntax: languages, tree-sitter parsing, and the units engines group into blocks."""

from .extract import extract_units
from .languages import LANGUAGES, Language, detect_language, get_language, supported_languages
from .units import Unit

__all__ = [
    "LANGUAGES",
    "Language",
    "Unit",
    "detect_language",
    "extract_units",
    "get_language",
    "supported_languages",
]
