"""huiqi engine: rules as data, evaluated on durable-rules, with explained three-valued results.

Use ``evaluate(parse_profile(data), as_of)``; nothing here imports a web or database library.
"""

from engine.errors import FieldError, ProfileError
from engine.evaluate import evaluate, parse_profile
from engine.loader import RuleBook, RuleFileError, default_rules, load_rules
from engine.profile import Profile
from engine.result import MeasureResult, Result

__all__ = [
    "FieldError", "MeasureResult", "Profile", "ProfileError", "Result", "RuleBook", "RuleFileError",
    "default_rules", "evaluate", "load_rules", "parse_profile",
]
