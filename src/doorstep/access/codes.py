"""Codes that people type or follow from a link: random, short to read, stored hashed."""

from __future__ import annotations

import hashlib
import secrets

# Crockford's base 32: no I, L, O or U, so a code read aloud or typed is unambiguous.
ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
TYPO_FIXES = str.maketrans({"O": "0", "I": "1", "L": "1", "U": "V"})


def new_code(length: int = 16) -> str:
    """A random code of `length` characters (5 bits each: 16 give 80 bits), in groups of 4."""
    raw = "".join(secrets.choice(ALPHABET) for _ in range(length))
    return "-".join(raw[i : i + 4] for i in range(0, length, 4))


def normalise(code: str) -> str:
    """The code as typed, with spaces, dashes, case and look-alike letters forgiven."""
    cleaned = "".join(ch for ch in code.upper() if ch.isalnum())
    return cleaned.translate(TYPO_FIXES)


def hash_code(code: str) -> str:
    return hashlib.sha256(normalise(code).encode()).hexdigest()
