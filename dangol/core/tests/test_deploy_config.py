"""deploy/gunicorn.conf.py: what the production web server does beyond gunicorn's defaults."""

import gc
import runpy
from pathlib import Path

CONF = Path(__file__).resolve().parents[3] / "deploy" / "gunicorn.conf.py"


def test_the_preloaded_app_is_frozen_out_of_the_collectors_sight_before_each_fork():
    conf = runpy.run_path(str(CONF))
    assert conf["preload_app"] is True  # the app is loaded in the master, so there is something to freeze
    gc.unfreeze()
    try:
        conf["pre_fork"](None, None)
        frozen = gc.get_freeze_count()
        # Django, the routes and the models in this process: the objects a full collection would walk.
        assert frozen > 50_000, frozen
        assert gc.get_count()[2] == 0
    finally:
        gc.unfreeze()
