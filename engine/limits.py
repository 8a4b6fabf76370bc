"""How much one profile may hold: lists are bounded so that a response stays small.

A list holds one item per person, loan, contract… A small or medium enterprise has fewer than
1,000 employees in most groups of the size standard (工信部联企业〔2011〕300号: industry, transport,
post and property management below 1,000; retail, hotels, restaurants and software below 300), so
1,000 new hires, loans or contracts in one profile is beyond what a real SME reports, and keeps the
answer to the largest allowed profile well under a few megabytes (tests/test_long_lists.py).
"""

from __future__ import annotations

MAX_ITEMS_PER_LIST = 1_000
