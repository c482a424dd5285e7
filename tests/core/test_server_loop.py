"""Threads hand async work to the server's loop instead of starting loops of their own."""

from __future__ import annotations

import asyncio
import threading

from doorstep.core import server_loop


def test_a_thread_runs_work_on_the_remembered_loop() -> None:
    ran_on: list[int] = []
    handed: list[bool] = []

    async def work() -> None:
        ran_on.append(threading.get_ident())

    async def main() -> int:
        server_loop.remember()
        thread = threading.Thread(target=lambda: handed.append(server_loop.run_soon(work)))
        thread.start()
        await asyncio.to_thread(thread.join)
        for _ in range(100):
            if ran_on:
                break
            await asyncio.sleep(0.01)
        return threading.get_ident()

    try:
        loop_thread = asyncio.run(main())
    finally:
        server_loop.forget()
    assert handed == [True]
    assert ran_on == [loop_thread]


def test_without_a_running_server_loop_the_caller_runs_the_work_itself() -> None:
    async def work() -> None:
        raise AssertionError("must not run")

    server_loop.forget()
    assert server_loop.run_soon(work) is False

    async def main() -> bool:
        server_loop.remember()
        return server_loop.run_soon(work)  # on the loop itself: the caller must await

    try:
        assert asyncio.run(main()) is False
        assert server_loop.run_soon(work) is False  # that loop has stopped
    finally:
        server_loop.forget()
