"""A child process for supervisor tests: prints its pid and waits to be stopped."""

import os
import signal
import time

signal.signal(signal.SIGTERM, lambda *_: os._exit(0))
print(os.getpid(), flush=True)
while True:
    time.sleep(3600)
