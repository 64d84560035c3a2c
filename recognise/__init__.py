"""Recognise stage: which table is which, each column's role, the notice's identity."""

from pathlib import Path

# Header words, title endings, field labels: data a data officer extends, not code.
VOCABULARY = Path(__file__).with_name("vocabulary.toml")
