"""One `doorstep serve` process for a benchmark, and keep-alive HTTP connections to it."""

from __future__ import annotations

import asyncio
import contextlib
import os
import resource
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

START_TIMEOUT = 60.0
REQUEST_TIMEOUT = 10.0


class Server:
    """`doorstep serve --no-worker --no-scheduler` on a free port, with this run's data
    folder and environment, without Redis and with offline routing unless `extra_env`
    says otherwise. Use as a context manager: started and answering, then stopped."""

    def __init__(self, extra_env: dict[str, str]) -> None:
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("REDIS_")}
        self.env.update({"DOORSTEP_ROUTING_PROVIDER": "offline", **extra_env})
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen[bytes] | None = None
        self.log = Path(os.environ["DOORSTEP_DATA_DIR"]) / f"serve-{self.port}.log"

    def __enter__(self) -> Server:
        doorstep = str(Path(sys.executable).with_name("doorstep"))
        with self.log.open("wb") as output:
            self.process = subprocess.Popen(  # noqa: S603 (our own command)
                [doorstep, "serve", "--port", str(self.port), "--no-worker", "--no-scheduler"],
                env=self.env,
                stdout=output,
                stderr=subprocess.STDOUT,
            )
        try:
            deadline = time.monotonic() + START_TIMEOUT
            while True:
                try:
                    with urllib.request.urlopen(f"{self.base}/healthz", timeout=2) as answer:  # noqa: S310
                        if answer.status == 200:
                            return self
                except OSError:
                    pass
                if self.process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"doorstep serve did not start:\n{self.log.read_text()}")
                time.sleep(0.1)
        except BaseException:
            self.__exit__()
            raise

    def __exit__(self, *exc: object) -> None:
        if self.process is None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=15)

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def rss_kib(self) -> int:
        for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
        raise RuntimeError("no VmRSS")

    def cpu_seconds(self) -> float:
        fields = Path(f"/proc/{self.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class Connection:
    """One keep-alive HTTP/1.1 connection to 127.0.0.1, opened on first use."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def post(self, body: bytes, *, key: str) -> int:
        return await asyncio.wait_for(self._post(body, key), timeout=REQUEST_TIMEOUT)

    async def _post(self, body: bytes, key: str) -> int:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port)
        assert self.reader is not None
        head = (
            f"POST /api/v1/locations HTTP/1.1\r\nHost: 127.0.0.1:{self.port}\r\n"
            f"Authorization: Bearer {key}\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\n\r\n"
        )
        self.writer.write(head.encode() + body)
        await self.writer.drain()
        status = int((await self.reader.readline()).split()[1])
        length, close = 0, False
        while (line := await self.reader.readline()) not in (b"\r\n", b""):
            name, _, value = line.decode("latin-1").partition(":")
            if name.strip().lower() == "content-length":
                length = int(value)
            elif name.strip().lower() == "connection" and "close" in value.lower():
                close = True
        await self.reader.readexactly(length)
        if close:
            await self.close()
        return status

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            with contextlib.suppress(OSError, TimeoutError):
                await asyncio.wait_for(self.writer.wait_closed(), timeout=2)
        self.reader = self.writer = None


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def redis_answers(url: str) -> bool:
    """Whether Redis answers at `url`; its database there is emptied."""
    try:
        import redis
    except ImportError:
        return False
    try:
        with redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2) as r:
            r.flushdb()
    except redis.RedisError:
        return False
    return True


def raise_open_files_limit(wanted: int) -> None:
    """At least `wanted` open files (sockets) for this process, as far as allowed."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != resource.RLIM_INFINITY and soft < wanted:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(wanted, hard), hard))
