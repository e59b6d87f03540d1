"""Timing helpers: a median of repeated measurements, taken in turn with their floor so that
noise from other work on the machine falls on both alike."""

import statistics
import time
from collections.abc import Callable


def seconds(work: Callable[[], object]) -> float:
    started = time.perf_counter()
    work()
    return time.perf_counter() - started


def side_by_side(
    measured: Callable[[], object], floor: Callable[[], object], repeats: int
) -> tuple[float, float]:
    """Medians of `measured` and `floor`, run alternately `repeats` times each after one
    untimed warm-up of each."""
    measured()
    floor()
    times: list[float] = []
    floors: list[float] = []
    for _ in range(max(1, repeats)):
        times.append(seconds(measured))
        floors.append(seconds(floor))
    return statistics.median(times), statistics.median(floors)


def ms(value: float) -> str:
    return f"{value * 1000:,.1f} ms"


def ratio(value: float, floor: float) -> float:
    return value / floor if floor > 0 else float("inf")
