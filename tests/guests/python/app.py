"""A Python interpreter as a wasi:cli/command: reads Python source from stdin and executes it.

Built by build.sh with componentize-py into a CPython component that nobody here wrote, to check
that a large real-world component runs correctly. An uncaught exception prints its traceback on
stderr and exits with code 1, as `python3 -` does; `sys.exit(n)` exits with code n.
"""

import sys
import datetime  # noqa: F401 (modules imported here are in the snapshot for scripts)
import json  # noqa: F401
import math  # noqa: F401
import random  # noqa: F401
import time  # noqa: F401
import traceback

from componentize_py_types import Err
from wit_world import exports
from wit_world.imports import exit as wasi_exit


class Run(exports.Run):
    """The `wasi:cli/run` export."""

    def run(self) -> None:
        source = sys.stdin.read()
        code = 0
        try:
            exec(compile(source, "<stdin>", "exec"), {"__name__": "__main__"})
        except SystemExit as e:
            code = e.code if isinstance(e.code, int) else (0 if e.code is None else 1)
        except BaseException:
            traceback.print_exc()
            code = 1
        sys.stdout.flush()
        sys.stderr.flush()
        if code != 0:
            wasi_exit.exit_with_code(code & 0xFF)
