"""Helpers for the board, event-stream and trace tests (no tests here): a raw SSE client reading a
real server's stream on a thread, and the identities a board or a scanner needs."""

from __future__ import annotations














