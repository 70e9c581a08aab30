"""dangol.settings for the failover test: the client plays the reverse proxy.

Every test customer's requests carry an X-Forwarded-For of their own, so per-address limits
(coupon claims per hour) count per customer, as they would behind deploy's proxy, instead of
all customers sharing 127.0.0.1.
"""

from dangol.settings import *  # noqa: F403

TRUSTED_PROXIES = ["127.0.0.1"]
