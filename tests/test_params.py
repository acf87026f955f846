"""Parameter structures: leaves, pairing by key, flattening and copying."""

from __future__ import annotations

import numpy as np
import pytest

from course_lib.params import all_finite, copy, is_finite, layout, leaves, like, pair, ravel, unravel

LAYERS = {"W": np.arange(6.0).reshape(2, 3), "b": np.array([10.0, 11.0])}
STRUCTURES = [np.arange(3.0), [np.ones(2), np.zeros((1, 2))], (np.ones(1), np.array(2.0)), LAYERS]
IDS = ["array", "list", "tuple-with-0d", "dict"]


def test_leaves_have_keys_of_each_kind():
    assert [k for k, _ in leaves(np.ones(2))] == [None]
    assert [k for k, _ in leaves([np.ones(2), np.ones(3)])] == [0, 1]
    assert [k for k, _ in leaves(LAYERS)] == ["W", "b"]


@pytest.mark.parametrize("params", STRUCTURES, ids=IDS)
def test_ravel_unravel_round_trip_and_like_keeps_the_structure(params):
    flat = ravel(params)
    assert flat.shape == (sum(a.size for _, a in leaves(params)),)
    back = unravel(flat, params)
    assert type(back) is type(params)
    for (k1, a), (k2, b) in zip(leaves(params), leaves(back)):
        assert k1 == k2 and a.shape == b.shape and a.dtype == b.dtype
        np.testing.assert_array_equal(a, b)


def test_like_turns_numpy_scalars_into_0d_arrays():
    out = like(np.array(1.0), [np.float64(2.0)])
    assert isinstance(out, np.ndarray) and out.shape == () and out == 2.0


@pytest.mark.parametrize("params", STRUCTURES, ids=IDS)
def test_copy_is_independent(params):
    twin = copy(params)
    for (_, a), (_, b) in zip(leaves(params), leaves(twin)):
        assert a is not b and not np.shares_memory(a, b)
        np.testing.assert_array_equal(a, b)


def test_pair_matches_dict_gradients_by_key():
    grads = {"b": np.array([1.0, 2.0]), "W": np.ones((2, 3))}
    assert [(k, g.shape) for k, _, g in pair(LAYERS, grads)] == [("W", (2, 3)), ("b", (2,))]


@pytest.mark.parametrize(
    "params, grads, error, message",
    [
        (LAYERS, {"W": np.ones((2, 3)), "c": np.ones(2)}, ValueError, "grads has key 'c'"),
        (LAYERS, {"W": np.ones((2, 3))}, ValueError, "grads is missing key 'b'"),
        (LAYERS, [np.ones((2, 3)), np.ones(2)], ValueError, "grads must be a dict with the keys of params"),
        ([np.ones(2)], np.ones(2), TypeError, "grads must have the structure of params"),
        ([np.ones(2)], [np.ones(2), np.ones(2)], ValueError, "grads has 2 array"),
        ([np.ones(2)], [np.ones(3)], ValueError, r"grads\[0\] has shape \(3,\), but params\[0\] has shape \(2,\)"),
        (np.ones(2), np.ones(2, np.float32), TypeError, "grads has dtype float32, but params has dtype float64"),
        (np.ones(2), np.array([1.0, np.nan]), ValueError, "grads contains 1 non-finite"),
        ({"W": np.ones(2, int)}, {"W": np.ones(2)}, TypeError, r"params\['W'\] must have dtype float32 or float64"),
        ("w", "g", TypeError, "params must be a numpy array or a list, tuple or dict of numpy arrays, got str"),
    ],
)
def test_pair_names_what_does_not_match(params, grads, error, message):
    with pytest.raises(error, match=message):
        pair(params, grads)


def test_pair_can_leave_the_finite_check_to_the_caller():
    ((_, _, g),) = pair(np.ones(2), np.array([1.0, np.inf]), check_finite=False)
    assert np.isinf(g[1])


def test_layout_compares_shapes_and_dtypes_whatever_the_dict_order():
    assert layout({"a": np.ones(2), "b": np.ones(3)}) == layout({"b": np.zeros(3), "a": np.zeros(2)})
    assert layout(np.ones(2)) != layout(np.ones(2, np.float32))
    assert layout([np.ones(2)]) != layout((np.ones(2),))


def test_unravel_checks_the_length():
    with pytest.raises(ValueError, match=r"flat must be a vector of 8 numbers"):
        unravel(np.ones(7), LAYERS)


def test_leaves_names_an_array_of_the_wrong_dtype():
    with pytest.raises(TypeError, match=r"grads\['b'\] must have dtype float32 or float64, got dtype int64"):
        leaves({"W": np.ones(2), "b": np.ones(2, dtype=np.int64)}, "grads")
    with pytest.raises(TypeError, match=r"params\[1\] must be a numpy array"):
        leaves([np.ones(2), [1.0, 2.0]])


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_all_finite_finds_one_bad_entry_in_any_array(bad):
    assert all_finite(LAYERS)
    assert not all_finite({"W": LAYERS["W"], "b": np.array([1.0, bad])})
    assert not all_finite(np.array([bad]))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_is_finite_is_exact_where_its_quick_pass_overflows(dtype):
    big = np.finfo(dtype).max
    assert is_finite(np.array([big, -big, 1.0], dtype=dtype))  # the quick sum of squares overflows: look again
    assert is_finite(np.array(2.0, dtype=dtype)) and is_finite(np.ones((3, 4), dtype=dtype)[:, ::2])
    for bad in (np.nan, np.inf, -np.inf):
        assert not is_finite(np.array([0.0, bad, 1.0], dtype=dtype))
        assert not is_finite(np.full((2, 2), bad, dtype=dtype))
