"""gunicorn's synchronous worker, woken one at a time.

The stock synchronous worker waits for a connection in select() on the one listening socket that all workers
share, and the kernel wakes every waiting worker for each new connection: one accepts it, the others find the
queue empty and go back to sleep. With four workers that is three wasted wake-ups a request, and a request
goes to whichever worker wins the race, so between the paced requests of a quiet stall every worker runs
cold.

This worker waits in epoll with EPOLLEXCLUSIVE (Linux 4.5 and newer) on the listening socket, so the kernel
wakes one waiting worker per connection, the first one in line that is waiting. A worker that is busy
isn't waiting and is passed over, so nothing queues behind it; at low load the same worker answers most
requests and stays warm. Everything else (accepting, answering, signals, the heartbeat, recycling) is the
stock worker's.

A synchronous worker that accepts a connection then waits for its request, however long the client takes to
send it. `defer_accept` (gunicorn's `when_ready` hook) has the kernel hold each new TCP connection until its first
bytes arrive, so a client that connects early (a browser's preconnect, a load generator that reconnects before
its next send, a port scan) holds no worker: the workers only ever take connections with a request to answer.

Used by deploy/gunicorn.conf.py (`worker_class`, `when_ready`); plain Python, no Django needed.
"""

import errno
import os
import select
import socket

from gunicorn.workers.sync import StopWaiting, SyncWorker


class ExclusiveSyncWorker(SyncWorker):
    def run(self):
        # After the fork: each worker has an epoll set of its own, on the shared sockets.
        self.poller = select.epoll()
        self.ready_sockets = {listener.fileno(): listener for listener in self.sockets}
        for fd in self.ready_sockets:
            self.poller.register(fd, select.EPOLLIN | select.EPOLLEXCLUSIVE)
        # Signals write to this pipe (set_wakeup_fd), so a signal still wakes the worker at once.
        self.poller.register(self.PIPE[0], select.EPOLLIN)
        super().run()

    def wait(self, timeout):
        """What the stock worker's wait() returns: the sockets ready to accept, and the pipe if it woke us."""
        self.notify()
        try:
            events = self.poller.poll(timeout)
        except OSError as error:
            if error.errno == errno.EBADF:  # the sockets were closed under us: the worker is ending
                raise StopWaiting from error
            raise
        ready = []
        for fd, _mask in events:
            if fd == self.PIPE[0]:
                os.read(fd, 1)
                ready.append(fd)
            else:
                ready.append(self.ready_sockets[fd])
        return ready


# A connection that has sent nothing for this long is handed to accept() anyway (or dropped by the kernel),
# where the worker's own timeout deals with it.
DEFER_ACCEPT_SECONDS = 10


def defer_accept(server, seconds=DEFER_ACCEPT_SECONDS):
    """gunicorn's `when_ready` hook: in the master, once its listening sockets exist and before any worker is
    forked, ask the kernel to wake accept() only for a TCP connection whose first bytes have arrived
    (TCP_DEFER_ACCEPT, Linux's). The workers share these sockets, so this holds for all of them. Unix sockets,
    and systems without the option, are left as they are."""
    option = getattr(socket, "TCP_DEFER_ACCEPT", None)
    if option is None:
        return
    for listener in server.LISTENERS:
        if listener.sock.family in (socket.AF_INET, socket.AF_INET6):
            listener.sock.setsockopt(socket.IPPROTO_TCP, option, seconds)
