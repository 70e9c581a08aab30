"""Real threads for concurrency proofs: each has its own database connection."""

import queue
import threading

from django.db import connection


def run_together(count, work):
    """Call work(i) for i in range(count), all released at once by a barrier; returns the results
    in order, an exception object standing in for a call that raised."""
    barrier = threading.Barrier(count)
    results = [None] * count

    def run(i):
        try:
            barrier.wait(timeout=30)
            results[i] = work(i)
        except Exception as error:  # the point is to count refusals, not to stop
            results[i] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    return results


def run_pool(workers, jobs, work):
    """Feed `jobs` to `workers` threads that start together; returns [(job, result or exception)]."""
    todo = queue.SimpleQueue()
    for job in jobs:
        todo.put(job)
    done = []
    lock = threading.Lock()

    def worker(_i):
        while True:
            try:
                job = todo.get_nowait()
            except queue.Empty:
                return
            try:
                result = work(job)
            except Exception as error:
                result = error
            with lock:
                done.append((job, result))

    run_together(workers, worker)
    return done
