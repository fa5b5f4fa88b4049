"""A progress bar for long management commands, drawn only on a terminal.

    Checking [##############----------------]  4,500/10,000  45%

Redrawn in place (a carriage return, no newline) at most ten times a second,
and ended with a newline when a phase completes or the command stops, so
each phase's last state stays on screen above what the command prints next.
Output that is not a terminal (a pipe, a file, a test's StringIO) gets
nothing at all: no escape codes or half-lines in logs.
"""

import time

BAR_WIDTH = 30
REDRAW_INTERVAL = 0.1  # seconds


class ProgressBar:
    """Call it with (phase, done, total) as work advances; `finish()` at the end.

    `stream` is a management command's `self.stdout` (an `OutputWrapper`).
    """

    def __init__(self, stream, clock=time.monotonic):
        self.stream = stream
        self.enabled = stream.isatty()
        self.clock = clock
        self.phase = None
        self.last_drawn = None
        self.line_open = False

    def __call__(self, phase, done, total):
        if not self.enabled or total <= 0:
            return
        if phase != self.phase:
            self.finish()
            self.phase = phase
        now = self.clock()
        recent = self.last_drawn is not None and now - self.last_drawn < REDRAW_INTERVAL
        if recent and done < total:
            return
        self.draw(phase, min(done, total), total)
        self.last_drawn = now
        if done >= total:
            self.finish()

    def draw(self, phase, done, total):
        filled = BAR_WIDTH * done // total
        bar = "#" * filled + "-" * (BAR_WIDTH - filled)
        digits = len(f"{total:,}")
        self.stream.write(
            f"\r{phase.capitalize():<9}[{bar}] {done:>{digits},}/{total:,} "
            f"{100 * done // total:3d}%",
            ending="",
        )
        self.stream.flush()
        self.line_open = True

    def finish(self):
        """End the current line, so what is printed next starts on its own."""
        if self.line_open:
            self.stream.write("")
            self.stream.flush()
        self.line_open = False
        self.phase = None
        self.last_drawn = None
