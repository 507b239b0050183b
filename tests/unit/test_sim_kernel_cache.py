"""The compiled kernel is keyed on the dispatch policy's source: a changed policy is never
answered by a stale kernel, wherever numba keeps its cache (here: ``NUMBA_CACHE_DIR``)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import korps
from korps.sim import kernel

# three areas: the incidents are prio 2 in area a (district X), which has no unit; b is in the
# same district but far, c in another district but near. The policy sends b (district first,
# ``WIDER``); with ``WIDER = 0.0`` it sends the nearest, c.
PROBE = """
import json, sys
import numpy as np
from korps.sim import kernel
from korps.sim.engine import build_model, replicate
from korps.sim.scenario import SimScenario

scenario = SimScenario.model_validate({
    "name": "cache probe", "days": 30, "warmup_days": 0, "control_room": None,
    "two_unit_share": 0,
    "areas": [
        {"key": "a", "district": "X", "lat": 52.0, "lon": 5.0, "incidents_per_year": {2: 60}},
        {"key": "b", "district": "X", "lat": 52.3, "lon": 5.0, "incidents_per_year": {}},
        {"key": "c", "district": "Y", "lat": 52.02, "lon": 5.0, "incidents_per_year": {}},
    ],
    "roster": {"shifts": [{"name": "d", "start": "00:00", "end": "00:00"}],
               "units": {"a": {"d": 0}, "*": {"d": 1}}},
})
model = build_model(scenario)
rep = replicate(model, replications=1, seed=3)[0]
homes = [model.keys[h] for h in model.unit_home[rep.log_unit]]
hits = sum(kernel.simulate.stats.cache_hits.values())
print(json.dumps({"homes": homes, "cache": str(kernel.simulate._cache._cache_path),
                  "kernel": kernel.__file__, "hits": hits}))
"""
WHERE = """
import json
from korps.sim import kernel
print(json.dumps({"cache": str(kernel.simulate._cache._cache_path), "kernel": kernel.__file__}))
"""


def _probe(src: Path, cache: Path, code: str = PROBE) -> dict[str, object]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("NUMBA_")}
    env |= {"PYTHONPATH": str(src), "NUMBA_CACHE_DIR": str(cache)}
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    result: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    assert str(result["kernel"]).startswith(str(src))
    return result


def test_the_cache_key_holds_the_policy_source_hash() -> None:
    for dispatcher in (kernel.simulate, kernel._run):
        assert isinstance(dispatcher._cache, kernel.PolicyKeyedCache)
        assert dispatcher._cache.policy_digest == kernel.POLICY_DIGEST
    other = kernel.PolicyKeyedCache(kernel.simulate.py_func, "another policy")
    sig, codegen = (), kernel.simulate.targetctx.codegen()
    assert other._index_key(sig, codegen) != kernel.simulate._cache._index_key(sig, codegen)


def test_a_changed_policy_changes_the_kernels_choices(tmp_path: Path) -> None:
    """A copy of the package with a cache in NUMBA_CACHE_DIR, filled with the kernel as it
    is (copied from this process's cache when there is one, so only one compile is paid);
    then the policy changes and the same probe must follow it."""
    src = tmp_path / "src"
    ignore = shutil.ignore_patterns("__pycache__")
    shutil.copytree(Path(korps.__file__).parent, src / "korps", ignore=ignore)
    cache = tmp_path / "numba-cache"
    where = Path(str(_probe(src, cache, WHERE)["cache"]))
    here: dict[str, object] = {}
    exec(PROBE.replace("print(json.dumps(", "here.update(("), {"here": here})  # as it is
    assert set(here["homes"]) == {"b"}, here  # type: ignore[call-overload]
    where.mkdir(parents=True, exist_ok=True)
    for path in Path(kernel.simulate._cache._cache_path).glob("kernel.*.nb[ic]"):
        shutil.copy2(path, where / path.name)
    first = _probe(src, cache)  # the copied cache (or a compile when there was none)
    assert first["cache"] == str(where)
    assert first["hits"] > 0 or not list(where.glob("*.nbi"))  # loaded, not compiled
    assert set(first["homes"]) == {"b"}, first  # type: ignore[call-overload]
    policy = src / "korps" / "dispatch" / "policy.py"
    text = policy.read_text()
    assert "\nWIDER = 1e9" in text
    kernel_stamp = (src / "korps" / "sim" / "kernel.py").stat().st_mtime_ns
    policy.write_text(text.replace("\nWIDER = 1e9", "\nWIDER = 0.0"))
    assert (src / "korps" / "sim" / "kernel.py").stat().st_mtime_ns == kernel_stamp
    second = _probe(src, cache)
    assert second["cache"] == first["cache"]
    assert second["hits"] == 0  # compiled anew, not loaded
    assert set(second["homes"]) == {"c"}, second  # type: ignore[call-overload]
