"""Utilities for sklearn_rnn."""
