"""The background job loop: it runs its work, wakes when told, and `stop` ends it, even when a
cancellation is swallowed on the way (as Python 3.11's `asyncio.wait_for` can do)."""

from __future__ import annotations

import asyncio

from app.lib.background import PollingLoop


def test_a_woken_loop_runs_at_once_and_stop_ends_it() -> None:
    async def scenario() -> int:
        runs = 0

        async def run_once() -> int:
            nonlocal runs
            runs += 1
            return 0

        loop = PollingLoop("test", run_once, poll_seconds=60)
        loop.start()
        await asyncio.sleep(0.05)
        loop.wake()
        await asyncio.sleep(0.05)
        await asyncio.wait_for(loop.stop(), timeout=5)
        return runs

    assert asyncio.run(scenario()) == 2  # the first pass, then the one the wake asked for


def test_stop_ends_a_loop_whose_work_swallows_the_first_cancellation() -> None:
    async def scenario() -> tuple[int, int]:
        swallowed = 0
        runs = 0

        async def run_once() -> int:
            nonlocal swallowed, runs
            runs += 1
            try:
                await asyncio.sleep(30)
            except asyncio.CancelledError:
                if swallowed == 0:  # what wait_for does when its work ends as it is cancelled
                    swallowed += 1
                    return 1
                raise
            return 0

        loop = PollingLoop("test", run_once, poll_seconds=60)
        loop.start()
        await asyncio.sleep(0.05)
        await asyncio.wait_for(loop.stop(), timeout=10)  # a TimeoutError here is the old hang
        return swallowed, runs

    swallowed, runs = asyncio.run(scenario())
    assert swallowed == 1
    assert runs == 1  # once asked to stop, the loop does not start another pass


def test_stop_reports_a_loop_that_had_crashed_and_can_be_called_twice() -> None:
    async def scenario() -> None:
        loop = PollingLoop("test", _crash, poll_seconds=60)
        loop.start()
        await asyncio.sleep(0.05)
        await loop.stop()
        await loop.stop()

    asyncio.run(scenario())  # the crash inside run_once is logged, not raised by stop


async def _crash() -> int:
    raise RuntimeError("boom")


def test_a_loop_told_to_wait_first_runs_only_after_an_interval_or_a_wake() -> None:
    async def scenario() -> list[int]:
        runs = 0

        async def run_once() -> int:
            nonlocal runs
            runs += 1
            return 0

        loop = PollingLoop("test", run_once, poll_seconds=60, wait_first=True)
        loop.start()
        await asyncio.sleep(0.05)
        seen = [runs]  # nothing at start
        loop.wake()
        await asyncio.sleep(0.05)
        seen.append(runs)
        await asyncio.wait_for(loop.stop(), timeout=5)
        return seen

    assert asyncio.run(scenario()) == [0, 1]
