"""The exercise list (course_lib/exercises/__init__.py): complete, seeded, JSON-able, and able to tell mistakes apart.

Each chapter's own exercises are tested in tests/test_exercise_chNN_*.py.
"""

import json

import numpy as np
import pytest

import course_lib.exercises as exercises
from course_lib.exercises import judging
from course_lib.exercises.check import run_check

NOTEBOOKS = [
    "01_gradient_descent",
    "02_stochastic_gradient_descent",
    "03_mini_batch_gradient_descent",
    "04_adagrad",
    "05_rmsprop",
    "06_adadelta",
    "07_adam",
]
FUNCTION_SPECS = [s for s in exercises.SPEC_LIST if isinstance(s, exercises.FunctionSpec)]


def test_one_file_per_chapter_in_chapter_order():
    assert [chapter.NOTEBOOK for chapter in exercises.CHAPTERS] == NOTEBOOKS
    for chapter in exercises.CHAPTERS:
        assert chapter.__name__ == f"course_lib.exercises.ch{chapter.NOTEBOOK}"
        assert [spec.notebook for spec in chapter.EXERCISES] == [chapter.NOTEBOOK] * len(chapter.EXERCISES)
    assert [s.id for s in exercises.SPEC_LIST] == sorted((s.id for s in exercises.SPEC_LIST), key=float)


@pytest.mark.parametrize("notebook", NOTEBOOKS)
def test_every_chapter_asks_for_code_and_all_but_chapter_3_for_understanding(notebook):
    chapter = exercises.specs_for(notebook)
    assert len(chapter) >= 2
    assert any(isinstance(s, (exercises.FunctionSpec, exercises.BatchingSpec)) for s in chapter)
    assert any(isinstance(s, exercises.ValueSpec) for s in chapter) or notebook.startswith("03")
    for spec in chapter:
        assert spec.id.split(".")[0] == str(int(notebook[:2]))
        assert spec.points >= 1 and spec.symbol.isidentifier() and spec.hint and spec.title


def test_ids_are_unique_and_specs_for_unknown_notebooks_is_empty():
    assert len(exercises.SPECS) == len(exercises.SPEC_LIST) == 14
    assert sum(s.points for s in exercises.SPEC_LIST) == 27  # what the README promises
    assert exercises.specs_for("99_nothing") == []
    assert {s.notebook for s in exercises.SPEC_LIST} == set(NOTEBOOKS)


@pytest.mark.parametrize("spec", exercises.SPEC_LIST, ids=lambda s: s.id)
def test_cases_are_seeded_and_json_able(spec):
    cases = spec.cases(7)
    assert cases == spec.cases(7)
    assert json.loads(json.dumps(cases, allow_nan=False)) == cases
    if cases:
        assert cases != spec.cases(8)


@pytest.mark.parametrize("spec", FUNCTION_SPECS, ids=lambda s: s.id)
def test_cases_cover_both_dtypes_and_chained_steps(spec):
    cases = spec.cases()
    assert len(cases) == 50
    assert {c["dtype"] for c in cases} == {"float32", "float64"}
    assert max(len(c["steps"]) for c in cases) >= 3


@pytest.mark.parametrize("spec", FUNCTION_SPECS, ids=lambda s: s.id)
def test_the_reference_passes_and_every_listed_mistake_is_recognised(spec):
    assert run_check(spec.id, spec.reference).passed
    assert spec.mistakes, f"exercise {spec.id} lists no known mistakes"
    for mistake in spec.mistakes:
        verdict = run_check(spec.id, mistake.function)
        assert f"Known mistake: {mistake.name}:" in verdict.message, (mistake.name, verdict.message)


def _agreement(spec, a, b):
    """Share of cases on which two trusted functions give the same outputs (strict tolerance)."""
    cases = spec.cases()
    out_a, out_b = spec.trusted_outputs(a, 0), spec.trusted_outputs(b, 0)
    same = sum(
        all(judging.values_close(x, y, c["dtype"]) for sa, sb in zip(ca, cb) for x, y in zip(sa, sb))
        for ca, cb, c in zip(out_a, out_b, cases)
    )
    return same / len(cases)


@pytest.mark.parametrize("spec", FUNCTION_SPECS, ids=lambda s: s.id)
def test_every_mistake_differs_from_the_reference_and_from_the_others(spec):
    variants = [("reference", spec.reference)] + [(m.name, m.function) for m in spec.mistakes]
    for i, (name_a, a) in enumerate(variants):
        for name_b, b in variants[i + 1 :]:
            assert _agreement(spec, a, b) < judging.MATCH_FRACTION, (name_a, name_b)


@pytest.mark.parametrize("exercise_id", ["4.1", "5.1", "6.1", "7.1"])
def test_adaptive_rules_see_tiny_gradients_fresh_and_running_states_and_default_hyperparameters(exercise_id):
    cases = exercises.SPECS[exercise_id].cases()
    tiny = [c for c in cases if np.max(np.abs(c["steps"][0]["g"])) < 1e-6]
    assert len(tiny) >= 8
    fresh = [c for c in cases if all(np.all(np.array(v) == 0) for n, v in c["state"].items() if n != "w")]
    assert 10 <= len(fresh) <= 40
    assert any(c["kwargs"] == {} for c in cases), "some cases must use the default hyperparameters"
