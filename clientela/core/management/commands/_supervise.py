"""Run several processes together and stop them together (used by `run` and `serve`)."""

import signal
import subprocess
import sys
import time


def supervise(commands: list[list[str]], banner: str, write) -> None:
    processes = [subprocess.Popen(command) for command in commands]
    write(banner)

    def stop(*_):
        for process in processes:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        deadline = time.time() + 15
        for process in processes:
            try:
                process.wait(timeout=max(0.1, deadline - time.time()))
            except subprocess.TimeoutExpired:
                process.kill()
        sys.exit(0)

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    while all(p.poll() is None for p in processes):
        time.sleep(0.5)
    stop()
