"""Benchmarks: figures printed, never asserted in unit tests."""
