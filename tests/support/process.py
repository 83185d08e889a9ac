"""Child-process helpers: the test servers must never outlive the test run.

A Neo4j JVM or a Streamlit server left behind holds ports, memory and temp dirs, and would be
picked up by the next run by mistake; these helpers make stopping them cheap and certain.
"""

from __future__ import annotations

import ctypes
import signal
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

_PR_SET_PDEATHSIG = 1


def die_with_parent() -> Callable[[], None] | None:
    """Return a ``preexec_fn`` that makes the child receive SIGTERM when its parent dies.

    pytest can be killed with SIGKILL (CI timeout, a developer's kill -9), which skips every
    fixture finaliser and atexit hook; on Linux the kernel's parent-death signal still stops the
    child. Note that "parent" is the *thread* that forked: start servers from a thread that lives
    as long as the server (the main thread in pytest). Returns None off Linux.
    """
    if not sys.platform.startswith("linux"):
        return None

    def _preexec() -> None:
        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)

    return _preexec


def stop_process(proc: subprocess.Popen[bytes], grace: float) -> int:
    """Send SIGTERM, wait up to ``grace`` seconds, then SIGKILL; return the exit code.

    SIGTERM first so servers shut down cleanly (Neo4j checkpoints and releases its store lock);
    SIGKILL as the backstop so a hung JVM can never outlive the tests.
    """
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            proc.kill()
        except BaseException:  # a second Ctrl-C while waiting: do not leave it half-stopped
            proc.kill()
            proc.wait()
            raise
    return proc.wait()


def log_tail(path: Path, lines: int = 40) -> str:
    """Return the last ``lines`` lines of a log file, or a note that there is none.

    Start-up failures are only diagnosable from the child's own output, so every error raised
    by these helpers carries this tail.
    """
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError as exc:
        return f"(no log at {path}: {exc})"
    return "\n".join(text.splitlines()[-lines:])
