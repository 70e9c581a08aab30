"""Random public ids for URLs, so nothing sequential leaks or can be walked."""

import secrets

# No 0/O/1/I/L: people read these aloud and type them.
ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"


def new_public_id(length=10):
    return "".join(secrets.choice(ALPHABET.lower()) for _ in range(length))
