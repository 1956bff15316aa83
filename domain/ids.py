"""Ids: stored as 64-bit signed integers (BIGINT), so every id a driver takes is 1..ID_MAX."""

ID_MAX = 2**63 - 1
