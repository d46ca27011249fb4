"""A compiled scanner for the ballot lines of BLT and scot-elex CSV files.

Real files hold thousands of ballot lines of plain numbers.  This scanner reads them straight
from the file's bytes into the weight vector and ranking matrix.  It accepts only the plain
valid form; anything else (equal ranks, skipped ranks, ballot ids, a number out of range, a
repeated candidate, a zero weight...) makes it give up, and the reader falls back to its
line-by-line parser, which reports the exact problem and line.
"""

from __future__ import annotations

import numpy as np

from simcore.jit import kernel

BLT = 0
CSV = 1


@kernel
def _scan(buf, start, mode, ncand, count_only, weights, ranks):
    """Returns ``(status, n_lines, max_len, end_offset)``; status 0 ok, 1 give up."""
    n = buf.shape[0]
    i = start
    line = 0
    max_len = 0
    seen = np.zeros(ncand + 1, np.int64)
    stamp = 0
    while i < n:
        # skip leading blanks
        while i < n and (buf[i] == 32 or buf[i] == 9 or buf[i] == 13):
            i += 1
        if i >= n:
            break
        ch = buf[i]
        if ch == 10:
            i += 1
            continue
        if ch == 35 and mode == BLT:  # '#': comment line
            while i < n and buf[i] != 10:
                i += 1
            continue
        if ch < 48 or ch > 57:
            if mode == CSV:
                return 0, line, max_len, i  # first non-numeric row: the candidates
            return 1, line, max_len, i
        # parse numbers on this line
        line_start = i
        k = 0
        last = np.int64(-1)
        weight = np.int64(0)
        stamp += 1
        while i < n and buf[i] != 10:
            ch = buf[i]
            if ch == 32 or ch == 9 or ch == 13 or ch == 44:
                i += 1
                continue
            if ch < 48 or ch > 57:
                return 1, line, max_len, line_start
            v = np.int64(0)
            digits = 0
            while i < n and buf[i] >= 48 and buf[i] <= 57:
                v = v * 10 + (buf[i] - 48)
                digits += 1
                i += 1
                if digits > 15:
                    return 1, line, max_len, line_start
            if k == 0:
                weight = v
            else:
                if mode == BLT and last == 0:
                    return 1, line, max_len, line_start  # numbers after the terminating 0
                if v != 0 or mode == CSV:
                    if v < 1 or v > ncand or seen[v] == stamp:
                        return 1, line, max_len, line_start
                    seen[v] = stamp
                    if not count_only:
                        ranks[line, k - 1] = v - 1
                last = v
            k += 1
        if mode == BLT:
            if k == 1 and weight == 0:
                return 0, line, max_len, i  # the lone 0 ending the ballots
            if last != 0 or k < 2:
                return 1, line, max_len, line_start
            length = k - 2
        else:
            length = k - 1
        if weight <= 0:
            return 1, line, max_len, line_start
        if not count_only:
            weights[line] = weight
        if length > max_len:
            max_len = length
        line += 1
    if mode == BLT:
        return 1, line, max_len, i  # no terminating 0
    return 0, line, max_len, i


def scan_ballots(data: bytes, start: int, mode: int, ncand: int):
    """``(weights, rankings, end_offset)`` for the plain ballot lines from byte ``start``, or
    ``None`` if the lines need the line-by-line parser."""
    buf = np.frombuffer(data, dtype=np.uint8)
    dummy_w = np.zeros(0, np.int64)
    dummy_r = np.zeros((0, 0), np.int16)
    status, n_lines, max_len, _ = _scan(buf, start, mode, ncand, True, dummy_w, dummy_r)
    if status != 0:
        return None
    weights = np.zeros(n_lines, np.int64)
    ranks = np.full((n_lines, max(max_len, 1)), -1, np.int16)
    status, n2, _, end = _scan(buf, start, mode, ncand, False, weights, ranks)
    if status != 0 or n2 != n_lines:
        return None
    return weights, ranks, int(end)
