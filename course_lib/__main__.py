"""Command line: ``python -m course_lib release`` and ``python -m course_lib grade``."""

from __future__ import annotations

import sys

USAGE = """usage: python -m course_lib COMMAND [options]

commands:
  release   write exercises/ from solutions/ (instructors)
  grade     grade a folder of student submissions (see grade --help)
  gradescope  build a Gradescope autograder zip (see gradescope --help)
  gradescope-run  grade one submission inside Gradescope (what the zip's run_autograder calls)
"""


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if not argv or argv[0] in ("-h", "--help"):
        print(USAGE)
        return 0
    command, rest = argv[0], argv[1:]
    if command == "release":
        from .exercises.release import main as release_main

        return release_main(rest)
    if command == "grade":
        from .grading.cli import main as grade_main

        return grade_main(rest)
    if command in ("gradescope", "gradescope-run"):
        from .grading import gradescope

        return (gradescope.build_main if command == "gradescope" else gradescope.run_main)(rest)
    print(f"unknown command {command!r}\n\n{USAGE}", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
