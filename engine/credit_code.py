"""The unified social credit code (统一社会信用代码) check, cheap for a code already written canonically.

``stdnum.cn.uscc.validate`` first compacts its input (drops spaces and hyphens, maps look-alike
characters to ASCII, upper-cases, strips), then wants 18 characters: 8 digits, 10 characters of its
alphabet, the last a check character. Text made only of ASCII digits and that upper-case alphabet is its
own compact form, so for such text with a correct check character ``validate`` returns the text itself.
``canonical`` recognises exactly those codes in a few C-level calls: half of a batch's validation time
went to ``validate``'s character-by-character Python (issue 14). Anything else still goes to stdnum,
which words the error (tests/test_credit_code.py holds the two to the same answer).
"""

from __future__ import annotations

import os
import re

from stdnum.cn import uscc

ALPHABET = uscc._alphabet
CANONICAL = re.compile(f"[0-9]{{8}}[{ALPHABET}]{{10}}")
WEIGHTS = tuple(pow(3, i, 31) for i in range(17))  # stdnum's weights (1, 3, 9, 27, 19, 26, ...): 3**i mod 31
# The weighted sum in one C call: the first 17 characters, last first, each written as the base-34 digit of
# its value in ALPHABET, are the number sum(value_i * 34**i), and 34**i is 3**i mod 31.
BASE = 34
_DIGITS = str.maketrans({c: "0123456789abcdefghijklmnopqrstuvwxyz"[i] for i, c in enumerate(ALPHABET)})
_CHECK = tuple(ALPHABET[(31 - total) % 31] for total in range(31))  # the check character of a weighted sum

# HUIQI_FAST_VALIDATE=0: every code through stdnum, to compare or debug (read once per process)
ENABLED = os.environ.get("HUIQI_FAST_VALIDATE", "1") != "0"


def canonical(value: str) -> bool:
    """Whether ``uscc.validate(value)`` returns ``value`` itself: a compact code with a correct check character."""
    if type(value) is not str or not CANONICAL.fullmatch(value):  # a str subclass: stdnum returns a plain str
        return False
    return value[17] == _CHECK[int(value[16::-1].translate(_DIGITS), BASE) % 31]
