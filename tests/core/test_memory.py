"""The bounded memory of pure functions' values (core.memory.remember)."""

from gridcase.core.memory import remember


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


def test_an_entry_another_thread_dropped_first_is_no_error():
    class Racing(dict):
        """A memory from which another thread drops the oldest entry as the keys are listed."""

        def __iter__(self):
            keys = list(super().__iter__())
            super().pop(keys[0])
            return iter(keys)

    memory = Racing({1: 1, 2: 2})
    assert remember(memory, 3, 3, bound=2) == 3
    assert dict(memory) == {2: 2, 3: 3}  # 1 was gone already; 2, the newer half, kept
