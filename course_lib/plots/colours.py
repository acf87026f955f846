"""Colour arithmetic for checking the course's styles: WCAG contrast, colour-vision simulation, greyscale.

Pure functions on "#RRGGBB" strings, used by the style table's tests (and handy for
checking a colour before adding it). References:

- WCAG 2.1 relative luminance and contrast ratio (success criterion 1.4.11 asks 3:1 for graphics);
- Machado, Oliveira and Fernandes (2009), "A physiologically-based model for simulation of
  colour vision deficiency", matrices for severity 1.0, applied to linear RGB;
- CIE 1976 L*a*b* (D65 white) for the distance between two colours (delta E 76).
"""

from __future__ import annotations

import numpy as np
from matplotlib.colors import to_hex, to_rgb

# Machado et al. (2009), severity 1.0, linear RGB -> linear RGB.
CVD_MATRICES = {
    "protanopia": np.array([[0.152286, 1.052583, -0.204868],
                            [0.114503, 0.786281, 0.099216],
                            [-0.003882, -0.048116, 1.051998]]),
    "deuteranopia": np.array([[0.367322, 0.860646, -0.227968],
                              [0.280085, 0.672501, 0.047413],
                              [-0.011820, 0.042940, 0.968881]]),
    "tritanopia": np.array([[1.255528, -0.076749, -0.178779],
                            [-0.078411, 0.930809, 0.147602],
                            [0.004733, 0.691367, 0.303900]]),
}
LUMINANCE_WEIGHTS = np.array([0.2126, 0.7152, 0.0722])  # WCAG / sRGB (Rec. 709)
_XYZ_FROM_LINEAR_RGB = np.array([[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722], [0.0193, 0.1192, 0.9505]])
_D65_WHITE = np.array([0.95047, 1.0, 1.08883])


def to_linear(color: str) -> np.ndarray:
    """sRGB colour (any matplotlib colour spec) -> linear RGB in [0, 1]."""
    c = np.array(to_rgb(color))
    return np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)


def from_linear(rgb: np.ndarray) -> str:
    c = np.clip(rgb, 0.0, 1.0)
    return to_hex(np.where(c <= 0.0031308, 12.92 * c, 1.055 * c ** (1 / 2.4) - 0.055))


def relative_luminance(color: str) -> float:
    """WCAG relative luminance: 0 for black, 1 for white."""
    return float(to_linear(color) @ LUMINANCE_WEIGHTS)


def contrast_ratio(color: str, background: str = "#FFFFFF") -> float:
    """WCAG contrast ratio (L1 + 0.05) / (L2 + 0.05), from 1 (none) to 21 (black on white)."""
    a, b = relative_luminance(color), relative_luminance(background)
    return (max(a, b) + 0.05) / (min(a, b) + 0.05)


def simulate(color: str, deficiency: str) -> str:
    """How ``color`` looks with a colour-vision deficiency ("protanopia", "deuteranopia", "tritanopia")
    or in "greyscale" (the colour's relative luminance as a grey)."""
    if deficiency == "greyscale":
        return from_linear(np.full(3, relative_luminance(color)))
    if deficiency not in CVD_MATRICES:
        raise ValueError(f"deficiency must be one of greyscale, {', '.join(CVD_MATRICES)}; got {deficiency!r}")
    return from_linear(CVD_MATRICES[deficiency] @ to_linear(color))


def lab(color: str) -> np.ndarray:
    """CIE L*a*b* (D65) of an sRGB colour."""
    xyz = _XYZ_FROM_LINEAR_RGB @ to_linear(color) / _D65_WHITE
    f = np.where(xyz > (6 / 29) ** 3, np.cbrt(xyz), xyz / (3 * (6 / 29) ** 2) + 4 / 29)
    return np.array([116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])])


def delta_e(a: str, b: str) -> float:
    """CIE76 colour difference: about 2.3 is just noticeable, over 10 is clearly different at a glance."""
    return float(np.linalg.norm(lab(a) - lab(b)))
