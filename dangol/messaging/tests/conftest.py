import datetime as dt

import pytest
import time_machine

from dangol.lib.seoul import SEOUL, seoul_today


@pytest.fixture(autouse=True)
def daytime_in_seoul():
    """Messaging tests run at 14:00 in Seoul today, with the clock running.

    An ad sent between 21:00 and 08:00 in Seoul waits for the morning, so a test that sends one and reads it
    at once would pass or fail by the hour CI happens to run. Tests of the night rule set their own clock.
    """
    with time_machine.travel(dt.datetime.combine(seoul_today(), dt.time(14, 0), tzinfo=SEOUL), tick=True):
        yield
