"""Groups units into cohesive blocks from a weighted graph of references, words and position.

Edges: a unit that uses a name another unit defines (weighted down when many units
define it); shared rare identifier words (idf-weighted cosine); members of one class;
and a weak link between neighbours, which only decides for units that share nothing else.
Communities come from Louvain (seeded, so the answer is deterministic), then tiny ones
are merged and the count is brought within the target range. Imports and comment units
never form a block: they join the block that uses them most.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from collections.abc import Sequence
from itertools import pairwise
from typing import Any

from ..syntax.references import meaningful_words
from ..syntax.units import Unit

REFERENCE_WEIGHT = 1.0
MAX_REFERENCE_WEIGHT = 3.0
WORD_WEIGHT = 1.2
WORD_MIN_SIMILARITY = 0.08
SIBLING_WEIGHT = 0.3
HEADER_WEIGHT = 0.5
NEIGHBOUR_WEIGHT = 0.08
MAX_WORD_DF = 60
RESOLUTION = 1.0
REGISTRATION_WEIGHT = 2.0
ATTACHED_KINDS = frozenset({"import", "comment"})
SATELLITE_LINES = 4
LARGE_GRAPH = 300
DATA_TYPE_WEIGHT = 0.6
KEEP_NEIGHBOURS = 10

Graph = dict[int, dict[int, float]]


def block_bounds(line_count: int, core_units: int) -> tuple[int, int]:
    """The (fewest, most) blocks a file of this size should get."""
    if line_count < 30:
        return 1, min(2, max(1, core_units))
    return min(3, max(1, core_units)), 8


def group_units(units: Sequence[Unit], line_count: int) -> list[list[int]]:
    """Indexes of ``units`` grouped into blocks (each sorted; groups in source order)."""
    if not units:
        return []
    core = [i for i, u in enumerate(units) if u.kind not in ATTACHED_KINDS and not _satellite(u)]
    if len(core) < 3:
        core = [i for i, u in enumerate(units) if u.kind not in ATTACHED_KINDS]
    if len(core) <= 1:
        return [list(range(len(units)))]
    graph = build_graph(units, core)
    if len(core) > LARGE_GRAPH:
        graph = _sparsify(graph, KEEP_NEIGHBOURS)
    low, high = block_bounds(line_count, len(core))
    groups = _communities(graph, core, units)
    groups = _merge_small(groups, graph, units, line_count, high)
    groups = _split_large(groups, graph, units, low)
    groups = _merge_small(groups, graph, units, line_count, len(groups))
    return _attach(groups, units, core)


def _sparsify(graph: Graph, keep: int) -> Graph:
    """Keep each node's strongest ``keep`` links (and links it is kept by): big files stay fast."""
    kept: Graph = {i: {} for i in graph}
    for a, neighbours in graph.items():
        strongest = sorted(neighbours.items(), key=lambda item: -item[1])[:keep]
        for b, weight in strongest:
            kept[a][b] = weight
            kept[b][a] = weight
    return kept


def _satellite(unit: Unit) -> bool:
    """Short constants and statements: they follow the code that uses them, like imports."""
    return unit.kind in ("constant", "statement") and unit.end - unit.start < SATELLITE_LINES


def unit_lines(unit: Unit) -> int:
    """How many lines a unit spans."""
    return unit.end - unit.start + 1


def build_graph(units: Sequence[Unit], core: list[int]) -> Graph:
    """Symmetric weighted adjacency between core unit indexes."""
    graph: Graph = {i: {} for i in core}

    def add(a: int, b: int, weight: float) -> None:
        if a != b:
            graph[a][b] = graph[a].get(b, 0.0) + weight
            graph[b][a] = graph[b].get(a, 0.0) + weight

    _reference_edges(units, core, add)
    _word_edges(units, core, add)
    for previous, current in pairwise(core):
        add(previous, current, NEIGHBOUR_WEIGHT)
        if units[previous].parent and units[previous].parent == units[current].parent:
            add(previous, current, SIBLING_WEIGHT)
    _registration_edges(units, core, add)
    _data_type_edges(units, core, add)
    headers = {units[i].name: i for i in core if units[i].kind in ("class", "type")}
    for i in core:
        parent = units[i].parent
        if parent and parent in headers:
            add(i, headers[parent], HEADER_WEIGHT)
    return graph


def _reference_edges(units: Sequence[Unit], core: list[int], add: Any) -> None:
    definers: dict[str, list[int]] = defaultdict(list)
    for i in core:
        for name in units[i].defines:
            definers[name].append(i)
    linkable = {name for name, targets in definers.items() if len(targets) <= 8}
    for i in core:
        weights: dict[int, float] = defaultdict(float)
        for name in sorted(units[i].uses & linkable):  # sorted: same sums in every process
            targets = definers[name]
            for j in targets:
                weights[j] += REFERENCE_WEIGHT / len(targets)
        for j, weight in weights.items():
            add(i, j, min(weight, MAX_REFERENCE_WEIGHT))


def unit_words(unit: Unit) -> set[str]:
    """The meaningful words of a unit's names (defined and used)."""
    return set(meaningful_words(unit.defines | unit.uses))


_REGISTRATION = re.compile(r"^@?([A-Za-z_$][\w$]*)\.([A-Za-z_$][\w$]*)")


def _registration_edges(units: Sequence[Unit], core: list[int], add: Any) -> None:
    """Link units registered the same way (``router.get(...)``, ``@app.route``): one concern."""
    keyed: dict[str, list[int]] = defaultdict(list)
    for i in core:
        match = _REGISTRATION.match(units[i].signature)
        if match and units[i].kind in ("statement", "function", "method"):
            keyed[match.group(1)].append(i)
    for members in keyed.values():
        if len(members) < 2:
            continue
        if len(members) <= 12:
            for x, a in enumerate(members):
                for b in members[x + 1 :]:
                    add(a, b, REGISTRATION_WEIGHT)
        else:
            for a, b in pairwise(members):
                add(a, b, REGISTRATION_WEIGHT * 2)


def _data_type_edges(units: Sequence[Unit], core: list[int], add: Any) -> None:
    """Link plain data types (structs, records, dataclasses): readers look for them together."""
    types = [i for i in core if _data_type(units[i])]
    if len(types) > 12:
        for a, b in pairwise(types):
            add(a, b, DATA_TYPE_WEIGHT)
        return
    for x, a in enumerate(types):
        for b in types[x + 1 :]:
            add(a, b, DATA_TYPE_WEIGHT)


def _data_type(unit: Unit) -> bool:
    if unit.kind == "type":
        return True
    return unit.kind == "class" and unit.signature.startswith("@dataclass") and not unit.parent


def _word_edges(units: Sequence[Unit], core: list[int], add: Any) -> None:
    words = {i: unit_words(units[i]) for i in core}
    postings: dict[str, list[int]] = defaultdict(list)
    for i, bag in words.items():
        for word in sorted(bag):
            postings[word].append(i)
    n = len(core)
    cap = max(3, min(MAX_WORD_DF if n <= LARGE_GRAPH else MAX_WORD_DF // 3, int(n * 0.5)))
    idf = {w: math.log(1 + n / len(p)) for w, p in postings.items() if 2 <= len(p) <= cap}
    norms = {
        i: math.sqrt(sum(idf.get(w, 0.0) ** 2 for w in bag)) or 1.0 for i, bag in words.items()
    }
    shared: dict[tuple[int, int], float] = defaultdict(float)
    for word, weight in idf.items():
        members = postings[word]
        for x, a in enumerate(members):
            for b in members[x + 1 :]:
                shared[(a, b)] += weight * weight
    for (a, b), dot in shared.items():
        similarity = dot / (norms[a] * norms[b])
        if similarity >= WORD_MIN_SIMILARITY:
            add(a, b, WORD_WEIGHT * similarity)


def _communities(
    graph: Graph, core: list[int], units: Sequence[Unit], resolution: float = 0.0
) -> list[list[int]]:
    # Imported here: networkx is heavy and only needed once a file is analysed.
    import networkx as nx

    g = nx.Graph()
    g.add_nodes_from(core)
    for a, neighbours in graph.items():
        for b, weight in neighbours.items():
            if a < b:
                g.add_edge(a, b, weight=weight)
    found = nx.community.louvain_communities(
        g, weight="weight", resolution=resolution or RESOLUTION, threshold=1e-4, seed=7
    )
    return sorted((sorted(c) for c in found), key=lambda c: c[0])


def _lines(group: list[int], units: Sequence[Unit]) -> int:
    return sum(unit_lines(units[i]) for i in group)


def _link(a: list[int], b: list[int], graph: Graph) -> float:
    members = set(b)
    return sum(w for i in a for j, w in graph[i].items() if j in members)


def _merge_small(
    groups: list[list[int]], graph: Graph, units: Sequence[Unit], line_count: int, high: int
) -> list[list[int]]:
    """Merge tiny groups into their best-linked group, then the weakest until ``high`` remain."""
    min_lines = max(3, int(line_count * 0.03))
    while len(groups) > 1:
        sizes = [_lines(g, units) for g in groups]
        smallest = min(range(len(groups)), key=lambda k: (sizes[k], groups[k][0]))
        if len(groups) <= high and sizes[smallest] >= min_lines:
            break
        group = groups.pop(smallest)
        target = _best_partner(group, groups, graph, units)
        groups[target] = sorted(groups[target] + group)
    return groups


def _best_partner(
    group: list[int], others: list[list[int]], graph: Graph, units: Sequence[Unit]
) -> int:
    links = [_link(group, other, graph) / math.sqrt(len(other)) for other in others]
    best = max(range(len(others)), key=lambda k: (links[k], -abs(others[k][0] - group[0])))
    if links[best] > 0:
        return best
    first = group[0]
    return min(range(len(others)), key=lambda k: min(abs(i - first) for i in others[k]))


def _split_large(
    groups: list[list[int]], graph: Graph, units: Sequence[Unit], low: int
) -> list[list[int]]:
    """Split the largest groups until at least ``low`` exist (by sub-communities, then position)."""
    while len(groups) < low:
        candidates = [k for k, g in enumerate(groups) if len(g) >= 2]
        if not candidates:
            break
        k = max(candidates, key=lambda c: _lines(groups[c], units))
        group = groups.pop(k)
        halves = _sub_communities(group, graph, units) or _bisect(group, graph, units)
        groups.extend(halves)
        groups.sort(key=lambda g: g[0])
    return groups


def _sub_communities(
    group: list[int], graph: Graph, units: Sequence[Unit]
) -> list[list[int]] | None:
    """Split ``group`` in two by its own communities (finer resolution), if it has any."""
    members = set(group)
    sub = {i: {j: w for j, w in graph[i].items() if j in members} for i in group}
    parts = _communities(sub, group, units, resolution=2.0)
    if len(parts) < 2:
        return None
    while len(parts) > 2:
        parts.sort(key=lambda p: _lines(p, units))
        smallest = parts.pop(0)
        target = _best_partner(smallest, parts, sub, units)
        parts[target] = sorted(parts[target] + smallest)
    if min(_lines(p, units) for p in parts) < 3:
        return None
    return parts


def _bisect(group: list[int], graph: Graph, units: Sequence[Unit]) -> list[list[int]]:
    """Split ``group`` in two at the position cutting the least edge weight per line."""
    best_cut, best_score = len(group) // 2, math.inf
    total = _lines(group, units)
    smallest = max(3, total * 0.1)
    for cut in range(1, len(group)):
        left, right = group[:cut], group[cut:]
        small = min(_lines(left, units), _lines(right, units))
        if small < smallest:
            continue
        score = (_link(left, right, graph) + 0.05) / (small / total)
        if score < best_score:
            best_cut, best_score = cut, score
    return [group[:best_cut], group[best_cut:]]


def _attach(groups: list[list[int]], units: Sequence[Unit], core: list[int]) -> list[list[int]]:
    """Give every other unit to the group using it most (else the next unit's).

    Short constants and statements go first, so the imports they use can follow them.
    """
    owner = {i: k for k, g in enumerate(groups) for i in g}
    core_owner = dict(owner)
    rest = [i for i in range(len(units)) if i not in owner]
    for wave in (
        [i for i in rest if units[i].kind != "import"],
        [i for i in rest if units[i].kind == "import"],
    ):
        users, definers = _name_index(units, list(owner))
        chosen = {i: _vote(units[i], owner, users, definers) for i in wave}
        for i, k in chosen.items():
            owner[i] = k if k >= 0 else _nearest_owner(i, core_owner, len(units))
    result: list[list[int]] = [[] for _ in groups]
    for i, k in owner.items():
        result[k].append(i)
    return [sorted(g) for g in result]


def _name_index(
    units: Sequence[Unit], owned: list[int]
) -> tuple[dict[str, list[int]], dict[str, list[int]]]:
    users: dict[str, list[int]] = defaultdict(list)
    definers: dict[str, list[int]] = defaultdict(list)
    for i in owned:
        for name in units[i].uses:
            users[name].append(i)
        for name in units[i].defines:
            definers[name].append(i)
    return users, definers


def _vote(
    unit: Unit,
    owner: dict[int, int],
    users: dict[str, list[int]],
    definers: dict[str, list[int]],
) -> int:
    """The group whose units use (else define) this unit's names most; -1 when none."""
    votes: dict[int, float] = defaultdict(float)
    for name in unit.defines:
        for j in users.get(name, ()):
            votes[owner[j]] += 1.0
    if not votes and unit.kind != "import":
        for name in unit.uses:
            for j in definers.get(name, ()):
                votes[owner[j]] += 1.0
    return max(votes, key=lambda g: (votes[g], -g)) if votes else -1


def _nearest_owner(i: int, owner: dict[int, int], n: int) -> int:
    for j in range(i + 1, n):
        if j in owner:
            return owner[j]
    for j in range(i - 1, -1, -1):
        if j in owner:
            return owner[j]
    return 0
