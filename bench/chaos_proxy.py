"""A TCP proxy on 127.0.0.1 that drops a share of the connections at random points.

    .venv/bin/python bench/chaos_proxy.py --listen 8001 --target 8000 --drop 0.3 --seed 1

Between a field terminal (or `bench/field_sync.py`) and a gridcase server, it passes each
connection through, except that a `--drop` share of them are cut, the point chosen at random
among four (counted by kind, printed on Ctrl-C):

- `connect`: closed as soon as it is accepted; the server sees nothing;
- `request`: closed after a random part of the request's first bytes was forwarded; the
  server sees a request cut short and does nothing with it;
- `committed`: the whole request forwarded, then closed as soon as the server *starts* to
  answer, without a byte of the answer passed on: the server did the work and committed, the
  client never hears it — the case the protocol's exactly-once rests on;
- `response`: a random part of the answer's first bytes passed on, then closed (the server
  committed; the client reads a status line or headers at most, or a body cut short).

HTTP/1.1 without TLS; one request per connection is what the scripted client sends
(`Connection: close`), so a connection's fate is its request's. Standard library only.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import random
import signal
from collections import Counter
from dataclasses import dataclass, field

KINDS = ("connect", "request", "committed", "response")
CHUNK = 65536


@dataclass
class ChaosProxy:
    target_host: str
    target_port: int
    drop: float = 0.3
    seed: int | None = None
    stats: Counter = field(default_factory=Counter)

    def __post_init__(self) -> None:
        self.rng = random.Random(self.seed)
        # asyncio holds a connection's task only while the client is connected: a task still
        # waiting on the server after the client went away would be collected mid-way.
        self.tasks: set[asyncio.Task] = set()

    def fate(self) -> str | None:
        """None (pass it through) or the kind of drop, for one new connection."""
        if self.rng.random() >= self.drop:
            return None
        return self.rng.choice(KINDS)

    async def handle(self, client_r: asyncio.StreamReader, client_w: asyncio.StreamWriter):
        task = asyncio.current_task()
        if task is not None:
            self.tasks.add(task)
            task.add_done_callback(self.tasks.discard)
        kind = self.fate()
        self.stats["connections"] += 1
        self.stats[kind or "passed"] += 1
        if kind == "connect":
            await _close(client_w)
            return
        try:
            server_r, server_w = await asyncio.open_connection(self.target_host, self.target_port)
        except OSError:
            self.stats["upstream_unreachable"] += 1
            await _close(client_w)
            return
        upstream = None
        try:
            if kind == "request":
                # A random part of what the client sent first (never all of it): cut short.
                first = await client_r.read(CHUNK)
                server_w.write(first[: self.rng.randrange(len(first))] if first else b"")
                await server_w.drain()
                return
            upstream = asyncio.create_task(_pipe(client_r, server_w))
            self.tasks.add(upstream)
            upstream.add_done_callback(self.tasks.discard)
            if kind == "committed":
                answer = await server_r.read(1)  # the server has answered: it is done
                self.stats["committed_answers_lost"] += bool(answer)
                return
            if kind == "response":
                answer = await server_r.read(CHUNK)
                client_w.write(answer[: self.rng.randrange(len(answer))] if answer else b"")
                await client_w.drain()
                return
            await _pipe(server_r, client_w)
        except (ConnectionError, asyncio.IncompleteReadError):
            self.stats["errors"] += 1
        finally:
            if upstream is not None:
                upstream.cancel()
            await _close(client_w)
            await _close(server_w)

    async def serve(self, host: str, port: int) -> asyncio.Server:
        return await asyncio.start_server(self.handle, host, port)


async def _pipe(reader, writer) -> None:
    """Copy until the end, then pass the end on."""
    while data := await reader.read(CHUNK):
        writer.write(data)
        await writer.drain()
    with contextlib.suppress(OSError, RuntimeError):
        if writer.can_write_eof():
            writer.write_eof()


async def _close(writer) -> None:
    with contextlib.suppress(Exception):
        transport = writer.transport
        # Abort rather than close: the peer sees the connection cut, as on a lost network.
        transport.abort()


class ProxyThread:
    """The proxy on its own event loop in a thread (for a script that runs its client beside
    it): `with ProxyThread(proxy, port) as p: …; p.proxy.stats`."""

    def __init__(self, proxy: ChaosProxy, port: int = 0, host: str = "127.0.0.1"):
        import threading

        self.proxy, self.host, self.port = proxy, host, port
        self.loop = asyncio.new_event_loop()
        self.ready = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        asyncio.set_event_loop(self.loop)
        server = self.loop.run_until_complete(self.proxy.serve(self.host, self.port))
        self.port = server.sockets[0].getsockname()[1]
        self.server = server
        self.ready.set()
        self.loop.run_forever()

    def __enter__(self) -> ProxyThread:
        self.thread.start()
        self.ready.wait(10)
        return self

    def __exit__(self, *exc) -> None:
        async def shutdown() -> None:
            # The connections still open are cut: their cancellation is not worth a traceback.
            self.loop.set_exception_handler(lambda loop, context: None)
            self.server.close()
            tasks = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)

        asyncio.run_coroutine_threadsafe(shutdown(), self.loop).result(10)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--listen", type=int, required=True, help="port on 127.0.0.1")
    parser.add_argument("--target", required=True, help="PORT or HOST:PORT of the server")
    parser.add_argument("--drop", type=float, default=0.3, help="share of connections cut")
    parser.add_argument("--seed", type=int, default=None)
    args = parser.parse_args()
    host, _, port = args.target.rpartition(":")
    proxy = ChaosProxy(host or "127.0.0.1", int(port), drop=args.drop, seed=args.seed)

    async def run() -> None:
        server = await proxy.serve("127.0.0.1", args.listen)
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        print(f"chaos proxy 127.0.0.1:{args.listen} → {args.target}, dropping {args.drop:.0%}")
        await stop.wait()
        server.close()
        print(dict(proxy.stats))

    asyncio.run(run())


if __name__ == "__main__":
    main()
