"""Calibration exercises: reference cases that assessors score for practice and compare."""
