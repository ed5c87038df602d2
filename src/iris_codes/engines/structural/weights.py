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
    heading: float = 1.5  # a detached one-line comment, or one that heads a paragraph
    blank_run: float = 2.5  # more blank lines than the file usually leaves at that level
    small_group: float = 1.5  # in a small file, any blank line between top-level groups
    kind_change: float = 0.8  # constants → types → functions → entry point
    parent_change: float = 1.2  # leaving a class's members, or entering another's
    class_start: float = 0.6  # a class or type definition begins here
    references: float = 1.4  # the two sides use what the other defines
    shared_names: float = 1.0  # the two sides' names share words (add_tag | remove_tag)
    topic: float = 0.5  # the two sides' docstrings share words
    inside_unit: float = 1.5  # penalty: cutting inside one function's body
    balance: float = 0.5  # bonus for cuts that split a section evenly
    threshold: float = 1.2  # past the minimum count, cut only where the score beats this
    forced_min: float = 0.0  # ... and below it, only where the score reaches this
    table_lines: int = 1000000  # ... in a stretch this long at most (a table of like entries)
    window: int = 2  # pieces on each side compared for references and names
    lines_per_block_min: int = 40  # at least one block per this many lines of code
    code_lines_per_block_max: int = 20  # at most one block per this many lines of code
    small_file_code: int = 60  # up to this many lines of code, the author's groups count
    max_blocks: int = 12  # blocks per level
    min_block_lines: int = 6  # the typical section is at least this long
    min_block_code: int = 5  # no section has fewer lines of code, unless the author marked it
    min_block_share: float = 0.25  # ... nor, in a long file, less than this share of the typical
    long_unit_lines: int = 60  # a unit longer than this may be cut at its paragraphs
    long_unit_share: float = 1.5  # ... or than this many typical sections
    nest_lines: int = 150  # a section longer than this gets children
    max_depth: int = 3  # levels of children
    preamble_setup_lines: int = 6  # a module-level statement this short may join the preamble
    preamble_share: float = 0.5  # leading imports past this share of the file are content


class NamingWeights(msgspec.Struct, frozen=True):
    """Scores for candidate labels: where a candidate comes from and what it is like."""

    marker: float = 3.0  # the author's own section title
    heading: float = 1.5  # a comment heading a paragraph of a long function
    class_name: float = 2.2  # the class that owns the block
    callee: float = 2.0  # what the callee all members call names: "POP3 commands"
    decorator: float = 2.0  # ... or the decorator they all carry: "Session properties"
    shared_words: float = 1.4  # the words the members' names share: "Cookie domain and path"
    activity: float = 2.0  # what the members do: verbs and the object they share
    protocol: float = 1.8  # special methods read for their class: its context management
    docstring: float = 1.6  # the main member's docstring, as a gerund phrase
    action: float = 0.9  # what its code does, from the name of what it calls
    main_name: float = 1.2  # the main definition's name, as words
    role: float = 2.5  # a role with evidence: command line, routes, tests
    fallback: float = 0.0  # the section's most distinctive words
    coverage: float = 2.0  # share of the block's members the label speaks for
    specificity: float = 1.0  # the label's words are rare in the other blocks
    per_word_over_four: float = 0.3  # penalty per word past four
    generic_word: float = 0.8  # penalty per generic word
    neighbour: float = 0.25  # a neighbour must beat a section by this to take its label


class ThemeWeights(msgspec.Struct, frozen=True):
    """What counts as shared among a section's members, and how members weigh."""

    private_weight: float = 0.5  # a private helper says less about what a section is for
    owner_share: float = 0.5  # a class owns a section when its members weigh this much
    shared_share: float = 0.6  # a callee or decorator is shared when this share has it


class PhraseWeights(msgspec.Struct, frozen=True):
    """How long the lists and quotes in a sentence may run."""

    list_limit: int = 4  # names in a list before it reads "first, second, third … last"
    literal_chars: int = 30  # a quoted string literal is cut past this
    min_prefix: int = 3  # a shared name prefix (``BZ_``) is at least this long
    calls_shown: int = 3  # callees named for one member


class DescriptionWeights(msgspec.Struct, frozen=True):
    """Scores for candidate descriptions: the author's doc against facts from the code."""

    doc: float = 2.0  # a doc sentence of a member
    doc_coverage: float = 2.0  # ... times the share of the section that member is
    vague: float = 1.5  # penalty: a doc sentence with fewer than two content words
    inline: float = 0.5  # penalty: a comment inside the body, not the member's doc
    partial: float = 1.0  # penalty: the documented member is a small part of the section
    partial_share: float = 0.35  # ... smaller than this share
    joined: float = 0.4  # bonus: several members' docs said together speak for more
    later: float = 1.0  # penalty: a doc's second sentence, past its summary
    remark: float = 1.5  # penalty: a remark on one line ("Res=1 means…", "DEBUG: …")
    said: float = 2.8  # a fact sentence must score this to stand in for the intent's words
    echo: float = 3.0  # penalty: the doc sentence is the label again
    facts: float = 1.0  # a sentence from what the code does
    per_fact: float = 0.6  # ... plus this for each fact it states (callee, decorator...)
    min_doc_words: int = 3  # a doc sentence shorter than this says nothing
    max_doc_words: int = 30  # a longer one is cut at a clause boundary
    min_content_words: int = 2


class RoleWeights(msgspec.Struct, frozen=True):
    """Scores for intents built from a file's role, when its author wrote no summary."""

    main_share: float = 0.4  # a definition or kind of code this share of the file leads it
    named_doc: float = 2.7  # the doc of the definition named like the file
    main_doc: float = 2.6  # ... of the only public one, or of one that is most of the file
    central_doc: float = 2.2  # ... of the public one the others use most
    settings_share: float = 0.7  # ... a settings table is mostly constants
    class_role: float = 2.0
    cli_role: float = 2.2
    test_role: float = 2.1
    header_role: float = 2.1
    settings_role: float = 2.3
    script_role: float = 1.8
    functions_role: float = 1.6
    doings_role: float = 1.3  # what the main functions' names say they do
    definitions_role: float = 1.0
    max_words: int = 20


SEGMENT = SegmentWeights()
NAMING = NamingWeights()
THEME = ThemeWeights()
PHRASES = PhraseWeights()
DESCRIPTION = DescriptionWeights()
ROLES = RoleWeights()
