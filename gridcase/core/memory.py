"""A bounded memory of values made from pure functions: what a process remembers between
calls (the assessment's kinds of case and judgements), kept within a size.

When full, the older half is dropped (dictionaries keep their order of insertion), not the
whole: what was made recently is what the next calls are likely to ask for again (a
province's towns share their quarter's days). Safe for a web process's threads: the changes
are made under one lock (only on a miss: a value not yet remembered), the reads without it.
Without the lock, a thread listing the older half while another added a value failed with
"dictionary changed size during iteration" (tests/core/test_memory.py)."""

from __future__ import annotations

import itertools
import threading
from typing import TypeVar

K = TypeVar("K")
V = TypeVar("V")

_CHANGING = threading.Lock()


def remember(memory: dict[K, V], key: K, value: V, bound: int) -> V:
    """``memory[key] = value``, the older half of ``memory`` dropped first when it holds
    ``bound`` entries; returns ``value``. Every change of ``memory`` goes through here."""
    with _CHANGING:
        if len(memory) >= bound:
            for old in list(itertools.islice(memory, bound // 2)):
                del memory[old]
        memory[key] = value
    return value
