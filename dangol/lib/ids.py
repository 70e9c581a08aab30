"""Random public ids for URLs, so nothing sequential leaks or can be walked."""

import secrets

# No 0/O/1/I/L: people read these aloud and type them.
ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
_LOWER = ALPHABET.lower()
# The operating system's generator, as `secrets` uses it, in an instance of its own: a test that fixes
# `secrets.randbelow` to force a lottery's draw leaves ids random.
_SYSTEM = secrets.SystemRandom()


def random_text(alphabet, length):
    """`length` characters drawn uniformly and independently from `alphabet`, by the system's CSPRNG.

    One draw below len(alphabet)**length, written in the alphabet's digits, is exactly as uniform as one
    draw per character and costs a quarter: a claim and a redemption each make ids on the way.
    """
    number = _SYSTEM.randrange(len(alphabet) ** length)
    characters = []
    for _ in range(length):
        number, digit = divmod(number, len(alphabet))
        characters.append(alphabet[digit])
    return "".join(characters)


def new_public_id(length=10):
    return random_text(_LOWER, length)
