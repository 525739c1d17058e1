"""Running pure code in several threads at once, switching between them as often as Python
allows, for the tests of what a web process's threads share (no database: the threads of the
database tests have their own connections, tests/cases/test_concurrency.py)."""

import sys
import threading
from collections.abc import Callable


def failures_at_once(work: Callable[[int], None], threads: int = 4) -> list[BaseException]:
    """``work(i)`` in ``threads`` threads at once; what each raised, if anything."""
    failures: list[BaseException] = []

    def run(i: int) -> None:
        try:
            work(i)
        except Exception as error:  # noqa: BLE001 - the test reports whatever a thread met
            failures.append(error)

    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # switch threads as often as possible
    try:
        started = [threading.Thread(target=run, args=(i,)) for i in range(threads)]
        for thread in started:
            thread.start()
        for thread in started:
            thread.join()
    finally:
        sys.setswitchinterval(interval)
    return failures
