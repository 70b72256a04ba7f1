"""Peak memory and CPU time of the scorer's processes: driver, JVM and Python workers."""

from __future__ import annotations

import os
import threading
import time
from dataclasses import dataclass, field

import psutil

MB = 1024 * 1024
ROLES = ("driver", "jvm", "workers")


@dataclass
class ResourceUse:
    """Highest RSS per role and the highest simultaneous total (MB); CPU seconds per role."""

    peak_mb: dict[str, float] = field(default_factory=lambda: dict.fromkeys(ROLES, 0.0))
    peak_total_mb: float = 0.0
    max_worker_processes: int = 0
    cpu_s: dict[str, float] = field(default_factory=lambda: dict.fromkeys(ROLES, 0.0))
    samples: int = 0
    load_average: tuple[float, float, float] = (0.0, 0.0, 0.0)

    def as_dict(self) -> dict:
        """The figures, rounded, for JSON."""
        return {
            "driver_mb": round(self.peak_mb["driver"], 1),
            "jvm_mb": round(self.peak_mb["jvm"], 1),
            "python_workers_mb": round(self.peak_mb["workers"], 1),
            "total_mb": round(self.peak_total_mb, 1),
            "max_python_worker_processes": self.max_worker_processes,
            "cpu_s": {role: round(seconds, 1) for role, seconds in self.cpu_s.items()},
            "load_average_1_5_15": [round(x, 2) for x in self.load_average],
            "samples": self.samples,
        }


def _role(process: psutil.Process) -> str | None:
    """'jvm' for the Spark JVM, 'workers' for the Python processes it forks, else None."""
    name = process.name()
    if name == "java":
        return "jvm"
    if "python" in name or "pyspark" in " ".join(process.cmdline()):
        return "workers"
    return None


def _cpu(process: psutil.Process) -> float:
    times = process.cpu_times()
    return times.user + times.system


class ResourceSampler:
    """Samples RSS and CPU time of this process and its descendants in a background thread."""

    def __init__(self, every: float = 0.2) -> None:
        self.every = every
        self.use = ResourceUse()
        self._driver = psutil.Process()
        self._driver_cpu_at_start = _cpu(self._driver)
        self._cpu_by_pid: dict[int, tuple[str, float]] = {}  # last seen: exited ones count too
        self.cpu_series: list[tuple[float, dict[str, float]]] = []  # (epoch seconds, cpu_s)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="resource-sampler", daemon=True)

    def start(self) -> ResourceSampler:
        """Start sampling."""
        self._thread.start()
        return self

    def stop(self) -> ResourceUse:
        """Stop sampling (after one last sample) and return what was seen."""
        self._stop.set()
        self._thread.join()
        self.sample()
        self.use.load_average = os.getloadavg()
        return self.use

    def _run(self) -> None:
        while not self._stop.wait(self.every):
            self.sample()

    def sample(self) -> None:
        """Take one sample of every process in the tree and update the figures."""
        rss = {"driver": self._driver.memory_info().rss / MB, "jvm": 0.0, "workers": 0.0}
        workers = 0
        for child in self._driver.children(recursive=True):
            try:
                role = _role(child)
                if role:
                    rss[role] += child.memory_info().rss / MB
                    self._cpu_by_pid[child.pid] = (role, _cpu(child))
                    workers += role == "workers"
            except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess):
                continue  # a worker that exited between listing and reading
        use = self.use
        for role in ROLES:
            use.peak_mb[role] = max(use.peak_mb[role], rss[role])
        use.peak_total_mb = max(use.peak_total_mb, sum(rss.values()))
        use.max_worker_processes = max(use.max_worker_processes, workers)
        use.cpu_s = dict.fromkeys(ROLES, 0.0)
        use.cpu_s["driver"] = _cpu(self._driver) - self._driver_cpu_at_start
        for role, seconds in self._cpu_by_pid.values():
            use.cpu_s[role] += seconds
        use.samples += 1
        self.cpu_series.append((time.time(), dict(use.cpu_s)))

    def cpu_between(self, start: float, end: float) -> dict[str, float]:
        """CPU seconds per role between two epoch times (to the nearest samples)."""
        inside = [cpu for moment, cpu in self.cpu_series if start <= moment <= end]
        if len(inside) < 2:
            return dict.fromkeys(ROLES, 0.0)
        return {role: inside[-1][role] - inside[0][role] for role in ROLES}
