"""A preview leaves no event loop open for the garbage collector to close at interpreter exit,
where a loop whose self-pipe is already gone prints `Exception ignored in BaseEventLoop.__del__
... Invalid file descriptor` on stderr after a successful run."""
import asyncio
import gc

from preview.engine import run_preview


def open_loops() -> list:
    gc.collect()
    return [o for o in gc.get_objects()
            if isinstance(o, asyncio.BaseEventLoop) and not o.is_closed()]


def test_a_preview_closes_every_event_loop_it_and_the_mock_monitor_made():
    before = set(map(id, open_loops()))
    plan = run_preview("dev")
    assert plan.resources  # the monitor ran on its executor threads
    assert [loop for loop in open_loops() if id(loop) not in before] == []
