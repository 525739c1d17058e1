"""The bounded memory of pure functions' values (core.memory.remember)."""

from gridcase.core.memory import remember
from tests.threads import failures_at_once


def test_a_value_is_remembered_and_returned():
    memory: dict[str, int] = {}
    assert remember(memory, "a", 1, bound=4) == 1
    assert memory == {"a": 1}


def test_when_full_the_older_half_is_dropped_and_the_newest_kept():
    memory: dict[int, int] = {}
    for n in range(10):
        remember(memory, n, n * n, bound=4)
        assert len(memory) <= 4
    # 0..3 filled it; 4 dropped 0 and 1; 6 dropped 2 and 3; 8 dropped 4 and 5.
    assert memory == {6: 36, 7: 49, 8: 64, 9: 81}


def test_threads_remembering_at_once_neither_fail_nor_pass_the_bound():
    # Without the lock: "dictionary changed size during iteration" (a thread listing the
    # older half while another adds), or a KeyError (two threads dropping the same entry).
    memory: dict[tuple[int, int], int] = {}

    def work(thread: int) -> None:
        for n in range(20_000):
            remember(memory, (thread, n), n, bound=16)
            memory.get((thread, n - 1))  # reads take no lock

    assert failures_at_once(work) == []
    assert 0 < len(memory) <= 16
