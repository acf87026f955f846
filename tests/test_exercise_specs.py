"""The exercise list and its cases: complete, seeded, JSON-able, and able to tell the mistakes apart."""

import json

import numpy as np
import pytest

import course_lib.exercises as specs
from course_lib.exercises import judging

CHAPTERS = [
    "01_gradient_descent",
    "02_stochastic_gradient_descent",
    "03_mini_batch_gradient_descent",
    "04_adagrad",
    "05_rmsprop",
    "06_adadelta",
    "07_adam",
]
FUNCTION_SPECS = [s for s in specs.SPEC_LIST if isinstance(s, specs.FunctionSpec)]


@pytest.mark.parametrize("notebook", CHAPTERS)
def test_every_chapter_has_a_function_and_an_understanding_exercise(notebook):
    chapter = specs.specs_for(notebook)
    assert len(chapter) >= 2
    assert any(isinstance(s, (specs.FunctionSpec, specs.BatchingSpec)) for s in chapter)
    assert any(isinstance(s, specs.ValueSpec) for s in chapter) or notebook.startswith("03")
    for spec in chapter:
        assert spec.id.split(".")[0] == str(int(notebook[:2]))
        assert spec.points >= 1 and spec.symbol.isidentifier() and spec.hint and spec.title


def test_ids_are_unique_and_specs_for_unknown_notebooks_is_empty():
    assert len(specs.SPECS) == len(specs.SPEC_LIST)
    assert specs.specs_for("99_nothing") == []
    assert {s.notebook for s in specs.SPEC_LIST} == set(CHAPTERS)


@pytest.mark.parametrize("spec", specs.SPEC_LIST, ids=lambda s: s.id)
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


@pytest.mark.parametrize("exercise_id", ["4.1", "5.1", "6.1", "7.1"])
def test_adaptive_rules_see_tiny_gradients_fresh_and_running_states(exercise_id):
    cases = specs.SPECS[exercise_id].cases()
    tiny = [c for c in cases if np.max(np.abs(c["steps"][0]["g"])) < 1e-6]
    assert len(tiny) >= 8
    fresh = [c for c in cases if all(np.all(np.array(v) == 0) for n, v in c["state"].items() if n != "w")]
    assert 10 <= len(fresh) <= 40
    assert any(c["kwargs"] == {} for c in cases), "some cases must use the default hyperparameters"


def test_adam_cases_start_at_t_1_and_later():
    counters = [c["counter"] for c in specs.SPECS["7.1"].cases()]
    assert counters.count(1) >= 10 and max(counters) > 10


def test_adadelta_cases_use_lr_other_than_1():
    assert {c["kwargs"].get("lr") for c in specs.SPECS["6.1"].cases()} >= {0.5, 2.0, 10.0}


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


def test_required_mistakes_are_listed():
    names = {sid: {m.name for m in specs.SPECS[sid].mistakes} for sid in ("4.1", "5.1", "6.1", "7.1")}
    assert {"eps on the wrong side of the square root", "accumulating g² after the step"} <= names["4.1"]
    assert {"v updated with g instead of g²", "eps on the wrong side of the square root"} <= names["5.1"]
    assert {"AdaDelta using the previous E[g²]", "accumulating the lr-scaled step"} <= names["6.1"]
    assert {
        "missing bias correction", "partial bias correction (m only)", "partial bias correction (v only)",
        "step counter starting at 0", "v updated with g instead of g²",
    } <= names["7.1"]
    assert all("sign error (ascending)" in n for n in names.values())


def test_references_are_course_lib_rules():
    from course_lib import rules

    w, g, G = np.array([1.0, -2.0]), np.array([0.5, 1e-8]), np.array([0.1, 0.0])
    for got, expected in zip(specs.SPECS["4.1"].reference(w, g, G, lr=0.3), rules.adagrad_update(w, g, G, lr=0.3)):
        np.testing.assert_array_equal(got, expected)


def test_collect_outputs_is_plain_data():
    outputs = specs.collect_outputs(specs.SPECS["6.1"], specs.SPECS["6.1"].reference, seed=3)
    assert outputs["exercise"] == "6.1" and outputs["seed"] == 3 and len(outputs["results"]) == 50
    json.dumps(outputs, allow_nan=False)


def test_collect_outputs_never_raises():
    class Weird:
        def __float__(self):
            raise RuntimeError("no")

    out = specs.collect_outputs(specs.SPECS["4.2"], Weird())
    assert out["error"].startswith("answer_effective_lr must be a number")
