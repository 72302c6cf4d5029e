"""Signal work on cut-outs of codes: sharpening a blurred one (across the bars of a level cut-out, or
both ways for a QR code turned square), and finding how a label round a pipe crowds its bars together.
Plain numpy and OpenCV on grey images; hardware.camera uses it when its cheap pass has read nothing.
"""

from __future__ import annotations

import math

import cv2
import numpy as np

DEBLUR_NOISE = 0.02  # Wiener's noise-to-signal ratio: a cut-out is averaged over many rows, so noise is low


def deconvolved(image: np.ndarray, sigma: float) -> np.ndarray:
    """A level cut-out sharpened across the bars by Wiener deconvolution of a Gaussian blur of `sigma` px.

    Only along x: the bars are upright, so the blur that matters is across them. Padded with its own
    edge values so the FFT's wrap-around does not ring into the quiet zones.
    """
    rows = image.astype(np.float32)
    pad = int(4 * sigma) + 2
    rows = np.pad(rows, ((0, 0), (pad, pad)), mode="edge")
    mean = float(rows.mean())
    size = rows.shape[1]
    freq = np.fft.rfftfreq(size).astype(np.float32)
    gain = np.exp(-2 * (np.pi * sigma * freq) ** 2)
    spectrum = np.fft.rfft(rows - mean, axis=1) * (gain / (gain * gain + DEBLUR_NOISE))
    out = np.fft.irfft(spectrum, size, axis=1)[:, pad:-pad] + mean
    return cv2.normalize(out, None, 0, 255, cv2.NORM_MINMAX, cv2.CV_8U)


def deconvolved_2d(image: np.ndarray, sigma: float) -> np.ndarray:
    """A grey image sharpened by Wiener deconvolution of a round Gaussian blur of `sigma` px, both ways:
    for a QR code turned square, whose quiet zone round it keeps the FFT's wrap-around harmless."""
    pixels = image.astype(np.float32)
    mean = float(pixels.mean())
    fy = np.fft.fftfreq(pixels.shape[0]).astype(np.float32)[:, None]
    fx = np.fft.rfftfreq(pixels.shape[1]).astype(np.float32)[None, :]
    gain = np.exp(-2 * (np.pi * sigma) ** 2 * (fx * fx + fy * fy))
    spectrum = np.fft.rfft2(pixels - mean) * (gain / (gain * gain + DEBLUR_NOISE / 2))
    out = np.fft.irfft2(spectrum, pixels.shape) + mean
    return cv2.normalize(out, None, 0, 255, cv2.NORM_MINMAX, cv2.CV_8U)


UNROLL_SPANS = tuple(range(60, 175, 10))  # degrees of a pipe's circumference a code may cover
UNROLL_GAIN = 0.5  # the fitted pipe must explain half the change in spacing that a flat label leaves
UNROLL_WINDOW = 12  # spacing averaged over this many bars and spaces (two characters)
UNROLL_MIN_EDGES = 40  # a Code128 of our codes has 60+ edges; with fewer the spacing cannot be judged


def edge_spacing(image: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
    """Where a level cut-out's bar edges are and how far apart they lie there: (x, spacing) per edge pair.

    Only edges between a bar and a space that both stand out count: noise in a quiet zone does not.
    """
    profile = cv2.GaussianBlur(image.astype(np.float32).mean(0).reshape(1, -1), (0, 0), 0.7).ravel()
    local = cv2.blur(profile.reshape(1, -1), (15, 1), borderType=cv2.BORDER_REPLICATE).ravel()
    signal = profile - local
    crossings = np.flatnonzero(np.signbit(signal[1:]) != np.signbit(signal[:-1]))
    if crossings.size < UNROLL_MIN_EDGES:
        return None
    peaks = np.maximum.reduceat(np.abs(signal), crossings)[:-1]  # each bar's or space's contrast
    strong = peaks > 0.3 * np.percentile(peaks, 90)
    edges = crossings[1:-1][strong[:-1] & strong[1:]].astype(np.float64)
    if edges.size < UNROLL_MIN_EDGES:
        return None
    gaps = np.diff(edges)
    keep = gaps < 4 * np.median(gaps)  # a gap wider than any bar is not inside the code
    if keep.sum() < UNROLL_MIN_EDGES:
        return None
    return (edges[:-1] + edges[1:])[keep] / 2, gaps[keep]


def unroll_columns(image: np.ndarray) -> np.ndarray | None:
    """Where to sample a cut-out of a label round a pipe (its axis along the bars) to see it unrolled flat:
    output column i comes from x = columns[i].

    Seen from the front, a bar at angle t round the pipe lies at x = c + R sin t, so the bars crowd
    together towards the pipe's sides by cos t. The pipe's axis c and radius R are fitted to how the
    spacing of the edges changes along the code; then the cut-out is to be sampled evenly in t. None when
    a pipe explains the spacing no better than a flat label (which needs no unrolling), or the edges are
    too few to judge by.
    """
    found = edge_spacing(image)
    if found is None:
        return None
    where, gaps = found
    first, last = float(where[0]), float(where[-1])
    # one bar or space is 1 to 4 modules wide: a Code128 character's six average out to ~1.8
    window = np.ones(UNROLL_WINDOW) / UNROLL_WINDOW
    where, gaps = np.convolve(where, window, "valid"), np.convolve(gaps, window, "valid")
    middle, half = (first + last) / 2, (last - first) / 2
    # spacing ~ s0 * cos t: fit the axis and radius on a small grid at once, s0 in closed form
    axes = middle + np.linspace(-0.3, 0.3, 7) * half
    reach = np.maximum(last - axes, axes - first)
    radii = reach[None, :] / np.sin(np.radians(np.array(UNROLL_SPANS, np.float64) / 2))[:, None]
    offset = (where[None, None, :] - axes[None, :, None]) / radii[..., None]
    cos_t = np.sqrt(np.clip(1 - offset**2, 1e-4, 1))
    s0 = (cos_t @ gaps) / (cos_t * cos_t).sum(-1)
    errors = ((gaps - s0[..., None] * cos_t) ** 2).mean(-1)
    span_at, axis_at = np.unravel_index(int(errors.argmin()), errors.shape)
    flat = float(np.mean((gaps - gaps.mean()) ** 2))
    if errors[span_at, axis_at] > UNROLL_GAIN * flat:  # a pipe explains the spacing no better than a flat label
        return None
    axis, radius = float(axes[axis_at]), float(radii[span_at, axis_at])
    quiet = 12 * float(np.median(gaps)) / 1.6  # ten modules of quiet zone, and a little
    low = math.asin(max(-0.999, (first - quiet - axis) / radius))
    high = math.asin(min(0.999, (last + quiet - axis) / radius))
    size = max(int((high - low) * radius), 8)
    columns = axis + radius * np.sin(np.linspace(low, high, size))
    return np.clip(columns, 0, image.shape[1] - 1)
