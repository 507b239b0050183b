"""With availability 1 and the old defaults (no turnout, no density speeds, speed scale 1)
the twin gives, bit for bit, the results it gave before availability, turnout and urban and
rural speeds were added: nothing else changed by accident. The digests below were made by
the code of commit 82a7f13 (before those changes) on the same scenarios and seeds."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from korps.sim.engine import Replication, build_model, replicate
from korps.sim.scenario import SimScenario, read_sim_scenario

ROOT = Path(__file__).resolve().parents[2]
BEFORE = {
    "klein": [
        "af9f7f1540e62ec678d9f86d5550c16b547458f02ffc853a9ca2db6602ef62d5",
        "ec1eede0cca0098c7be6f38b4da223953f6588400b5a936e3ef0ad322e92a130",
    ],
    "random0": [
        "dbde1f3a6992926e4a5fefe6d85c0fa36c6e85da6af09fc25ed3827b5b6f0fbd",
        "f3cb76446eb736edd8777d6c9c4815cf2640b06c527d3d0d7de220009fa47393",
    ],
    "random1": [
        "e8d73017ac253d3662492983a0e75b032fe3b6b41fa00eba9f774b63456b3a9c",
        "345a23db6f69430bb0ee05d8fcfe1df29b9ac5d203ba5b9b2eef427831ca4e6d",
    ],
    "random2": [
        "084c87a191178d5e04419548ddd2bdd06a808bad97f87de4f5f026812832ae8e",
        "55cafdf1a2ab449c46db512d7fe0513be889650b56fac6e7728d888b3be46005",
    ],
    "random3": [
        "3299e853c6917eb8b618d1391cb2880ce58d1030ef97edfc56e2a0825af18e56",
        "eb28bfa8b4fd97f046b32fecfa9e671b45f631ec45f73236b8349a46fa358d96",
    ],
    "random4": [
        "60149c6e06b549356ad7ddf3f567078dc3f9ba0c2e74434c95ddf9602c848a5a",
        "e4a286148f541323ab1a9028eb916ae67f392698e9f5dcea2a80df58f968044e",
    ],
    "random5": [
        "9fcc4d99338b8c37fd3c77bf05443d7a22d9dfb6cbac9149150943759a2a98e1",
        "b5eb37823e0dc34bdbc159e1d1d3917ceba17a26e6118ce2e2a8d62f2b8684aa",
    ],
}


def scenarios() -> Iterator[tuple[str, SimScenario]]:
    yield (
        "klein",
        read_sim_scenario(ROOT / "examples/sim/klein.yaml").model_copy(
            update={"days": 30, "warmup_days": 3}
        ),
    )
    rng = np.random.default_rng(7)
    for k in range(6):
        n = int(rng.integers(1, 5))
        yield (
            f"random{k}",
            SimScenario.model_validate(
                {
                    "name": "golden",
                    "days": float(rng.uniform(3, 8)),
                    "warmup_days": 1,
                    "areas": [
                        {
                            "key": f"a{j}",
                            "district": f"d{j % 2}",
                            "lat": 52 + float(rng.uniform(0, 0.2)),
                            "lon": 5 + float(rng.uniform(0, 0.2)),
                            "area_km2": float(rng.uniform(1, 50)),
                            "incidents_per_year": {
                                p: float(rng.uniform(0, 20000)) for p in (1, 2, 3)
                            },
                        }
                        for j in range(n)
                    ],
                    "control_room": None if k % 3 == 0 else {"operators": int(rng.integers(1, 4))},
                    "two_unit_share": float(rng.uniform(0, 1)),
                    "divert": bool(k % 2),
                    "return_to_base": k != 4,
                    "roster": {
                        "shifts": [
                            {"name": "D", "start": "07:00", "end": "19:00"},
                            {"name": "N", "start": "19:00", "end": "07:00"},
                        ],
                        "units": {
                            "*": {"D": int(rng.integers(1, 4)), "N": int(rng.integers(1, 4))}
                        },
                    },
                }
            ),
        )


def digest(rep: Replication) -> str:
    h = hashlib.sha256()
    for a in (
        rep.intake_start,
        rep.ready,
        rep.dispatched,
        rep.on_scene,
        rep.cleared,
        rep.unit_busy,
        rep.busy_by_how,
        rep.log_incident,
        rep.log_unit,
        rep.log_times,
    ):
        h.update(np.ascontiguousarray(a).tobytes())
    h.update(str(rep.diversions).encode())
    return h.hexdigest()


@pytest.mark.parametrize(("name", "scenario"), list(scenarios()))
def test_results_equal_those_before_availability(name: str, scenario: SimScenario) -> None:
    assert scenario.availability.share == 1.0
    assert scenario.travel.density is None and scenario.travel.scale == 1.0
    reps = replicate(build_model(scenario), replications=2, seed=3)
    assert [digest(rep) for rep in reps] == BEFORE[name]
