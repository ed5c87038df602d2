"""Every number the structural engine decides with, named, in one place.

Segmentation scores each gap between neighbouring pieces of a file; a high score is a
good place to end one section and start the next. Naming scores candidate labels.
Change one weight, then rerun ``bench/quality.py`` and ``bench/boundaries.py``.
"""

from __future__ import annotations

import msgspec


class SegmentWeights(msgspec.Struct, frozen=True):
    """Signals for a cut between two pieces, and the rules for how many cuts to make."""

    marker: float = 3.0  # the author's own section marker (banner, MARK:, #region...)
    heading: float = 1.0  # a detached one-line comment, or one that heads a paragraph
    blank_run: float = 2.5  # more blank lines than the file usually leaves at that level
    kind_change: float = 0.8  # constants → types → functions → entry point
    parent_change: float = 1.2  # leaving a class's members, or entering another's
    class_start: float = 0.6  # a class or type definition begins here
    references: float = 1.4  # the two sides use what the other defines
    shared_names: float = 1.0  # the two sides' names share words (add_tag | remove_tag)
    topic: float = 0.5  # the two sides' docstrings share words
    inside_unit: float = 1.5  # penalty: cutting inside one function's body
    balance: float = 1.0  # bonus for cuts that split a section evenly
    threshold: float = 1.2  # past the minimum count, cut only where the score beats this
    window: int = 2  # pieces on each side compared for references and names
    lines_per_block_min: int = 40  # at least one block per this many lines of file
    code_lines_per_block_max: int = 20  # at most one block per this many lines of code
    small_file_lines: int = 40  # under this, 1-3 blocks
    small_file_blocks: int = 3
    max_blocks: int = 12
    min_block_lines: int = 6  # no section shorter than this, unless the author marked it
    min_block_share: float = 0.25  # ... nor shorter than this share of the typical section
    long_unit_lines: int = 60  # a function longer than this may be cut at its paragraphs


class NamingWeights(msgspec.Struct, frozen=True):
    """Scores for candidate labels: where a candidate comes from and what it is like."""

    marker: float = 3.0  # the author's own section title
    heading: float = 1.5  # a comment heading a paragraph of a long function
    class_name: float = 2.2  # the class that owns the block
    owner_methods: float = 0.8  # "Lock methods": honest, but says little
    activity: float = 2.0  # what the members do: verbs and the object they share
    owner_activity: float = 1.5  # what methods do to their class: "Acquiring the lock"
    special: float = 1.8  # a special method read for its class: "Lock initialisation"
    docstring: float = 1.6  # the main member's docstring, as a gerund phrase
    main_name: float = 1.2  # the main definition's name, as words
    role: float = 2.5  # a role with evidence: command line, routes, tests, component
    coverage: float = 2.0  # share of the block's members the label speaks for
    specificity: float = 1.0  # the label's words are rare in the other blocks
    per_word_over_four: float = 0.3  # penalty per word past four
    generic_word: float = 0.8  # penalty per generic word
    taken: float = 5.0  # penalty: another block already has this label


SEGMENT = SegmentWeights()
NAMING = NamingWeights()
