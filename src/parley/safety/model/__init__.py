"""Parley's built-in detection model: an inline n-gram tier and an accurate embedding tier."""

from parley.safety.model.detectors import (
    AccurateDetector,
    InlineDetector,
    accurate_detector,
    inline_detector,
)

__all__ = ["AccurateDetector", "InlineDetector", "accurate_detector", "inline_detector"]
