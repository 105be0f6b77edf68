"""Evaluation: pixel, frame and video metrics of bundles on datasets, threshold search, robustness and attack suites, and the reports."""
