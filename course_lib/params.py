"""Parameter structures: one float array, or a list, tuple or dict of float arrays (a network's layers).

Every module that walks parameters goes through these few functions, so the
rules for what a structure is, how gradients pair with it and how it is
flattened are written once:

    >>> import numpy as np
    >>> from course_lib import params
    >>> layers = {"W": np.ones((2, 2)), "b": np.zeros(2)}
    >>> [key for key, _ in params.leaves(layers)]
    ['W', 'b']
    >>> params.ravel(layers)
    array([1., 1., 1., 1., 0., 0.])
    >>> params.unravel(np.arange(6.0), layers)["b"]
    array([4., 5.])

Keys: ``None`` for a single array, the position for a list or tuple, the key
for a dict. Gradients pair with parameters by key (``pair``), never by the
order a dict happens to list them in.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from . import _validate as check

Params = Any  # an ndarray, or a list / tuple / dict of ndarrays
Key = Any  # None, an int position or a dict key


def where(name: str, key: Key) -> str:
    """How an error message names one array: ``params``, ``params[0]``, ``params['W1']``."""
    return name if key is None else f"{name}[{key!r}]"


def leaves(params: Params, name: str = "params") -> list[tuple[Key, np.ndarray]]:
    """The (key, array) pairs of a structure, each array checked to be float32 or float64."""
    if isinstance(params, np.ndarray):
        items: list[tuple[Key, np.ndarray]] = [(None, params)]
    elif isinstance(params, dict):
        items = list(params.items())
    elif isinstance(params, (list, tuple)):
        items = list(enumerate(params))
    else:
        raise TypeError(
            f"{name} must be a numpy array or a list, tuple or dict of numpy arrays, got {type(params).__name__}"
        )
    for key, array in items:
        check.check_float_array(where(name, key), array)
    return items


def like(template: Params, arrays: Sequence[Any]) -> Params:
    """``arrays`` (one per leaf of ``template``, in its order) put back into ``template``'s structure.

    Each entry becomes an ndarray, so a 0-d result stays a 0-d array rather than a numpy scalar.
    """
    arrays = [np.asarray(a) for a in arrays]
    if isinstance(template, np.ndarray):
        (array,) = arrays
        return array
    if isinstance(template, dict):
        return dict(zip(template.keys(), arrays))
    return type(template)(arrays)


def pair(
    params: Params, grads: Params, check_finite: bool = True, names: tuple[str, str] = ("params", "grads")
) -> list[tuple[Key, np.ndarray, np.ndarray]]:
    """(key, w, g) for each array of ``params``, in its order, with the gradient of the same key.

    Everything is checked before anything is returned: the two structures are of the same
    kind, dicts have the same keys (an unknown or missing key is named), lists and tuples the
    same length, and each gradient has its array's shape and dtype and (``check_finite``) is finite.
    """
    p_name, g_name = names
    items = leaves(params, p_name)
    if isinstance(params, dict):
        if not isinstance(grads, dict):
            keys = ", ".join(repr(k) for k in params)
            raise ValueError(f"{g_name} must be a dict with the keys of {p_name} ({keys}), got {type(grads).__name__}")
        for key in grads:
            if key not in params:
                known = ", ".join(repr(k) for k in params)
                raise ValueError(f"{g_name} has key {key!r}, which {p_name} does not have; {p_name} has keys {known}")
        for key in params:
            if key not in grads:
                raise ValueError(f"{g_name} is missing key {key!r} of {p_name}; every array needs its gradient")
        grad_of = dict(leaves(grads, g_name))
    else:
        if isinstance(params, np.ndarray) != isinstance(grads, np.ndarray):
            raise TypeError(
                f"{g_name} must have the structure of {p_name} ({type(params).__name__}), got {type(grads).__name__}"
            )
        grad_items = leaves(grads, g_name)
        if len(grad_items) != len(items):
            raise ValueError(f"{g_name} has {len(grad_items)} array(s), but {p_name} has {len(items)}; they must match")
        grad_of = dict(grad_items)
    out = []
    for key, w in items:
        g = grad_of[key]
        check.check_same_shape(where(g_name, key), g, where(p_name, key), w)
        if g.dtype != w.dtype:
            raise TypeError(
                f"{where(g_name, key)} has dtype {g.dtype}, but {where(p_name, key)} has dtype {w.dtype}; "
                "they must match"
            )
        if check_finite:
            check.check_finite_array(where(g_name, key), g)
        out.append((key, w, g))
    return out


def layout(params: Params) -> tuple[type, dict[Key, tuple[tuple[int, ...], np.dtype]]]:
    """The kind of structure and each array's shape and dtype: what optimizer state is built for."""
    kind = np.ndarray if isinstance(params, np.ndarray) else type(params)
    return kind, {key: (w.shape, w.dtype) for key, w in leaves(params)}


def ravel(params: Params, name: str = "params") -> np.ndarray:
    """All arrays flattened and concatenated into one vector, in the structure's order."""
    return np.concatenate([np.ravel(a) for _, a in leaves(params, name)])


def unravel(flat: np.ndarray, template: Params) -> Params:
    """The inverse of ``ravel``: a vector cut back into ``template``'s arrays (shapes and dtypes)."""
    items = leaves(template, "template")
    sizes = [w.size for _, w in items]
    if np.shape(flat) != (sum(sizes),):
        raise ValueError(f"flat must be a vector of {sum(sizes)} numbers (the template's size), got shape "
                         f"{np.shape(flat)}")
    ends = np.cumsum(sizes)
    arrays = [np.asarray(flat[end - size : end]).reshape(w.shape).astype(w.dtype) for (_, w), size, end in
              zip(items, sizes, ends)]
    return like(template, arrays)


def copy(params: Params) -> Params:
    """A copy of every array (same structure, shapes and dtypes), so the caller's arrays stay untouched."""
    return like(params, [np.array(a, dtype=a.dtype) for _, a in leaves(params)])
