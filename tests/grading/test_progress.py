"""The progress bar: its line, the ETA arithmetic, terminal and log output (an injected clock, no timing)."""

from __future__ import annotations

import io
import threading

import pytest

from course_lib.grading.progress import Progress, eta_seconds, format_duration, progress_line


class FakeClock:
    def __init__(self, start: float = 100.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now


@pytest.mark.parametrize("seconds, shown", [
    (0, "0s"), (0.4, "0s"), (44.6, "45s"), (59.4, "59s"), (60, "1m 00s"), (200, "3m 20s"),
    (3599, "59m 59s"), (3600, "1h 00m"), (3725, "1h 02m"), (-3, "0s"),
])
def test_durations_are_short_and_never_negative(seconds, shown):
    assert format_duration(seconds) == shown


def test_eta_is_the_mean_time_so_far_times_what_is_left():
    assert eta_seconds(0, 300, 5.0) is None  # nothing to average yet
    assert eta_seconds(150, 300, 200.0) == pytest.approx(200.0)
    assert eta_seconds(30, 300, 60.0) == pytest.approx(540.0)  # 2 s each, 270 left
    assert eta_seconds(300, 300, 600.0) == 0.0
    assert eta_seconds(310, 300, 600.0) == 0.0  # never negative


def test_the_line_shows_bar_count_percentage_elapsed_and_eta():
    line = progress_line(150, 300, 200.0)
    assert line == "[##########..........]  150/300   50%  3m 20s elapsed, ETA 3m 20s"
    assert progress_line(3, 300, 6.0, bar=False) == "  3/300    1%  6s elapsed, ETA 9m 54s"
    assert progress_line(300, 300, 600.0).endswith("100%  10m 00s elapsed, done")
    assert progress_line(0, 4, 0.0) == "[....................]  0/4    0%  0s elapsed"


def test_a_log_gets_a_plain_line_every_n_submissions_and_at_the_end():
    clock, stream = FakeClock(), io.StringIO()
    progress = Progress(25, stream=stream, clock=clock, tty=False, every=10)
    for _ in range(25):
        clock.now += 2.0
        progress.update()
    lines = stream.getvalue().splitlines()
    assert lines == [
        "graded 10/25   40%  20s elapsed, ETA 30s",
        "graded 20/25   80%  40s elapsed, ETA 10s",
        "graded 25/25  100%  50s elapsed, done",
    ]
    assert "\r" not in stream.getvalue()


def test_a_terminal_gets_one_line_redrawn_in_place():
    clock, stream = FakeClock(), io.StringIO()
    progress = Progress(3, stream=stream, clock=clock, tty=True)
    for _ in range(3):
        clock.now += 10.0
        progress.update()
    text = stream.getvalue()
    frames = text.split("\r")[1:]
    assert len(frames) == 4  # the empty bar, then one frame per submission
    assert frames[1].startswith("[#######.............]  1/3   33%  10s elapsed, ETA 20s")
    assert text.endswith("[####################]  3/3  100%  30s elapsed, done\x1b[K\n")
    assert text.count("\n") == 1  # only the last frame ends the line


def test_without_a_terminal_by_default_for_a_plain_stream():
    assert Progress(3, stream=io.StringIO()).tty is False


def test_updates_from_many_threads_are_all_counted():
    stream = io.StringIO()
    progress = Progress(400, stream=stream, clock=FakeClock(), tty=False, every=100)
    threads = [threading.Thread(target=lambda: [progress.update() for _ in range(100)]) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert progress.done == 400
    assert [line.split()[1] for line in stream.getvalue().splitlines()] == ["100/400", "200/400", "300/400",
                                                                            "400/400"]


def test_a_broken_stream_does_not_stop_the_grading():
    class Broken(io.StringIO):
        def write(self, text):
            raise BrokenPipeError("gone")

    progress = Progress(2, stream=Broken(), clock=FakeClock(), tty=True)
    progress.update()
    progress.update()
    assert progress.done == 2


@pytest.mark.parametrize("total, every, named", [(-1, 10, "total"), (2.5, 10, "total"), (True, 10, "total"),
                                                 (5, 0, "every")])
def test_bad_arguments_are_named(total, every, named):
    with pytest.raises(ValueError, match=named):
        Progress(total, stream=io.StringIO(), every=every)
