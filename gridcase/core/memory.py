"""A bounded memory of values made from pure functions: what a process remembers between
calls (the assessment's kinds of case and judgements), kept within a size.

When full, the older half is dropped (dictionaries keep their order of insertion), not the
whole: what was made recently is what the next calls are likely to ask for again (a
province's towns share their quarter's days). Safe for a web process's threads: two threads
dropping the same entries at once is no error, and an entry dropped and made again is the
same value (the functions are pure)."""

from __future__ import annotations

import itertools
from typing import TypeVar

K = TypeVar("K")
V = TypeVar("V")


def remember(memory: dict[K, V], key: K, value: V, bound: int) -> V:
    """``memory[key] = value``, the older half of ``memory`` dropped first when it holds
    ``bound`` entries; returns ``value``."""
    if len(memory) >= bound:
        # list() of the keys runs in C under the GIL: no other thread changes the dict meanwhile.
        for old in list(itertools.islice(memory, bound // 2)):
            memory.pop(old, None)  # another thread may have dropped it first
    memory[key] = value
    return value
