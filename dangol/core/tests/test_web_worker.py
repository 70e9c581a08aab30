"""dangol.core.web_worker: gunicorn's synchronous worker woken one at a time, run as production runs it (a
master, four workers, one listening socket on 127.0.0.1), with a WSGI app of a few lines."""

import http.client
import re
import select
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
GUNICORN = Path(sys.executable).parent / "gunicorn"
EXCLUSIVE = "dangol.core.web_worker.ExclusiveSyncWorker"
WORKERS = 4
PRODUCTION = ["-c", str(ROOT / "deploy" / "gunicorn.conf.py")]  # deploy/gunicorn.conf.py's settings and hooks

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="epoll is Linux's")


class Server:
    """gunicorn started by the test and ended by its pid."""

    def __init__(self, worker_class, log_path, *, workers=WORKERS, args=()):
        self.log_path = log_path
        self.log = open(log_path, "wb")  # closed in stop()
        command = [str(GUNICORN), "dangol.core.tests.wsgi_probe:app", *args, "-k", worker_class, "-w", str(workers)]
        command += ["-b", "127.0.0.1:0", "--log-level", "info", "--graceful-timeout", "20"]
        self.process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=self.log)  # noqa: S603
        self.port = self._wait_for(r"Listening at: http://127\.0\.0\.1:(\d+)")
        deadline = time.monotonic() + 20
        while len(self.workers()) < workers or self._log().count("Booting worker") < workers:
            assert time.monotonic() < deadline, self._log()
            time.sleep(0.05)
        time.sleep(0.5)  # every worker is waiting for a connection

    def _log(self):
        return Path(self.log_path).read_text(errors="replace")

    def _wait_for(self, pattern):
        deadline = time.monotonic() + 20
        while not (found := re.search(pattern, self._log())):
            assert self.process.poll() is None and time.monotonic() < deadline, self._log()
            time.sleep(0.05)
        return int(found.group(1))

    def workers(self):
        children = []
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == self.process.pid:
                children.append(int(stat.parent.name))
        return children

    def wakeups(self):
        """Voluntary context switches of all the workers: each time one went to sleep (waiting, reading)."""
        total = 0
        for pid in self.workers():
            status = Path(f"/proc/{pid}/status").read_text()
            total += int(re.search(r"^voluntary_ctxt_switches:\s+(\d+)", status, re.M).group(1))
        return total

    def get(self, path="/"):
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        try:
            connection.request("GET", path)
            response = connection.getresponse()
            assert response.status == 200
            return int(response.read())
        finally:
            connection.close()

    def stop(self):
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()


@pytest.fixture
def start(tmp_path):
    started = []

    def start(worker_class=EXCLUSIVE, **options):
        started.append(Server(worker_class, tmp_path / f"gunicorn-{len(started)}.log", **options))
        return started[-1]

    yield start
    for server in started:
        server.stop()


def _paced(server, requests=40, gap=0.02):
    """(wake-ups per request, the pids that answered): requests one at a time, like a quiet stall's till."""
    before = server.wakeups()
    pids = []
    for _ in range(requests):
        pids.append(server.get())
        time.sleep(gap)
    return (server.wakeups() - before) / requests, Counter(pids)


def test_a_connection_wakes_one_waiting_worker_not_all_of_them(start):
    stock = start("sync")
    stock_wakeups, _ = _paced(stock)
    stock.stop()
    server = start()
    wakeups, _ = _paced(server)
    # The stock worker wakes all four (one a request and three for nothing); this one wakes the one it uses.
    assert stock_wakeups >= WORKERS - 0.5, stock_wakeups
    assert wakeups <= 2, (wakeups, stock_wakeups)


def test_at_a_quiet_stalls_pace_one_worker_answers_and_stays_warm(start):
    _, pids = _paced(start())
    assert pids.most_common(1)[0][1] >= 0.9 * sum(pids.values()), pids


def test_a_busy_worker_is_passed_over_so_nothing_waits_behind_it(start):
    server = start()
    busy = threading.Thread(target=server.get, args=("/?sleep=3",))
    busy.start()
    time.sleep(0.3)  # the first worker in line is now inside the slow request
    started = time.monotonic()
    answered = {server.get() for _ in range(10)}
    took = time.monotonic() - started
    busy.join()
    assert took < 1.5, took  # not behind the 3-second request
    assert answered and len(answered) <= WORKERS - 1


def test_workers_end_at_once_on_sigterm_while_waiting_for_connections(start):
    server = start()
    server.get()
    started = time.monotonic()
    server.process.send_signal(signal.SIGTERM)
    server.process.wait(timeout=30)
    # The signal wakes each waiting worker through gunicorn's pipe: no wait for the poll's timeout.
    assert time.monotonic() - started < 3
    assert server.process.returncode == 0


# Connections that wait before they send: deferred accept ------------------------------------------------


def test_a_listening_socket_wakes_nobody_for_a_connection_until_its_request_arrives():
    from types import SimpleNamespace

    from gunicorn.sock import TCPSocket

    from dangol.core.web_worker import defer_accept

    conf = SimpleNamespace(reuse_port=False, backlog=16, is_ssl=False)
    listener = TCPSocket(("127.0.0.1", 0), conf, None)
    client = socket.create_connection(listener.sock.getsockname(), timeout=5)
    try:
        defer_accept(SimpleNamespace(LISTENERS=[listener]))
        assert listener.sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_DEFER_ACCEPT) > 0
        # Connected before the option was set: the kernel queued it already.
        assert select.select([listener.sock], [], [], 1)[0]
        listener.sock.accept()[0].close()
        late = socket.create_connection(listener.sock.getsockname(), timeout=5)
        try:
            assert not select.select([listener.sock], [], [], 0.5)[0]  # connected, nothing sent: nobody woken
            late.sendall(b"GET / HTTP/1.1\r\n\r\n")
            assert select.select([listener.sock], [], [], 2)[0]
            accepted, _ = listener.sock.accept()
            with accepted:
                assert accepted.recv(100).startswith(b"GET /")
        finally:
            late.close()
    finally:
        client.close()
        listener.close()


def test_a_client_that_connects_and_sends_nothing_holds_no_worker(start):
    # Production's settings, with one worker: without the deferred accept that worker would sit in the silent
    # connection's read until gunicorn's 40-second timeout replaced it.
    server = start(workers=1, args=PRODUCTION)
    silent = [socket.create_connection(("127.0.0.1", server.port), timeout=5) for _ in range(3)]
    try:
        time.sleep(0.3)
        started = time.monotonic()
        assert server.get() in server.workers()
        assert time.monotonic() - started < 2
    finally:
        for connection in silent:
            connection.close()


def test_clients_that_connect_before_their_turn_still_find_the_same_warm_worker(start):
    # As wrk paces a stall: six clients take turns, each reconnecting as soon as its answer has arrived and
    # sending its next request when its turn comes. Each early connection used to take a worker and leave it
    # waiting, so the requests went round all four workers in turn.
    server = start(args=PRODUCTION)

    def connect():
        return socket.create_connection(("127.0.0.1", server.port), timeout=5)

    clients = [connect() for _ in range(6)]
    pids = Counter()
    try:
        for turn in range(48):
            time.sleep(0.02)
            client = clients[turn % len(clients)]
            client.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            answer = b""
            while chunk := client.recv(4096):
                answer += chunk
            client.close()
            clients[turn % len(clients)] = connect()
            pids[int(answer.rsplit(b"\r\n\r\n", 1)[1])] += 1
    finally:
        for client in clients:
            client.close()
    assert pids.most_common(1)[0][1] >= 0.9 * sum(pids.values()), pids
