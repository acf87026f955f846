"""Benchmarks of the course: ``python -m benchmarks.run [--quick] [--only NAME] [--out DIR]``.

One module per benchmark, each with ``run(quick: bool) -> dict`` returning its
measurements and a list of ``rows`` (figure, value, target, met) for the table:

- ``step_throughput``: one optimizer step on 1e6 / 1e7 parameters vs torch.optim and the memory bound;
- ``notebooks``: headless run time of each notebook in notebooks/ and solutions/;
- ``explorer``: kernel time per slider update of the widgets;
- ``grading``: submissions per minute of the grader;
- ``import_time``: ``import course_lib`` in a fresh interpreter.

Benchmarks are not tests: nothing here asserts a time. tests/test_benchmarks.py
only checks that each one runs on a tiny size.
"""
