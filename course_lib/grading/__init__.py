"""Grading a class: ``python -m course_lib grade SUBMISSIONS --out grades.csv``.

The parts, in the order a submission goes through them (nothing imports upward):

- ``assemble``: find each student's notebooks and rebuild them from the pristine
  release, taking from the student only the source of the answer cells;
- ``sandbox``: the OS sandbox (bubblewrap) every process that runs student code starts in;
- ``run``: run a command in a sandboxed, limited process (memory, processes, wall
  clock, output size), and nbval on the rebuilt notebook with it;
- ``judge``: draw the cases, run the answer cells in a sandboxed child
  (``judge_child``, which never sees the references) that sends back plain JSON,
  and compare with the reference in the grader;
- ``grade``: put the two verdicts together for a class, with timings;
- ``report``: grades.csv and one feedback file per student;
- ``cli``: the command line.

For large classes (docs/grading.md, "Grading at scale"):

- ``attempts``: which exercises a student skipped;
- ``progress``: the progress bar with an ETA;
- ``gradebook``: Canvas and Moodle gradebooks from a roster;
- ``class_report``: class-report.md and .png, what the class got wrong;
- ``at_scale``: those options of the ``grade`` command;
- ``gradescope``: the Gradescope autograder zip, and one submission graded into results.json.

See docs/grading.md for the threat model.
"""

__all__ = ["ClassResult", "SubmissionResult", "grade_class"]


def __getattr__(name: str):
    # Imported on first use: the kernel guard and the pytest plugin, which live in this
    # package and run inside the grading processes, should not pay for the whole grader.
    if name in __all__:
        from . import grade

        return getattr(grade, name)
    raise AttributeError(f"module 'course_lib.grading' has no attribute {name!r}")
