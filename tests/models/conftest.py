"""Markers of the model tests (the shared fixtures live in tests/conftest.py)."""


def pytest_configure(config):
    """Register `slow`: tests that train a model of their own (deselect with -m 'not slow')."""
    config.addinivalue_line("markers", "slow: trains a model of its own (about a minute or more)")
