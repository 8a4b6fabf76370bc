"""Run every Chinese Gherkin feature under features/ with the shared steps."""

from pytest_bdd import scenarios

scenarios(".")
