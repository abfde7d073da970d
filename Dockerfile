# Images built from the package's extras (docker-compose.yml picks the target):
#   server      the API and the light worker: `.[server]`, no TensorFlow
#   probes      the bundle-probe worker on the CPU: `.[server,probes]` (tensorflow-cpu)
#   probes-gpu  the bundle-probe worker on a GPU: `.[server,gpu]` (tensorflow[and-cuda])
# tests/test_deploy.py lints this file with hadolint and runs each target's CMD as a process.
FROM python:3.11-slim AS base

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /app
# The service user owns /bundles in the image, so a fresh named volume mounted there starts
# owned by it too (Docker copies the mount point's ownership into an empty volume): the API
# can write uploads and the probe workers can delete them.
RUN useradd --create-home --uid 10001 convdiag \
    && mkdir /bundles \
    && chown convdiag:convdiag /bundles
COPY pyproject.toml README.md ./
COPY convdiag ./convdiag
COPY diagnosis ./diagnosis
COPY service ./service
COPY worker ./worker
# The installs below are of this project (DL3013 wants `pkg==version`): its dependencies are
# the ranges in pyproject.toml.

FROM base AS probes
# Every bundle is probed inside bubblewrap (convdiag/sandbox.py); prlimit (util-linux) and
# libseccomp2 are already in the base image. Debian's current package, like the base image.
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends bubblewrap \
    && rm -rf /var/lib/apt/lists/*
# hadolint ignore=DL3013
RUN pip install --no-cache-dir ".[server,probes]"
USER 10001
CMD ["convdiag", "worker", "--queues", "probes", "--concurrency", "1"]

FROM base AS probes-gpu
# Every bundle is probed inside bubblewrap (convdiag/sandbox.py); prlimit (util-linux) and
# libseccomp2 are already in the base image. Debian's current package, like the base image.
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends bubblewrap \
    && rm -rf /var/lib/apt/lists/*
# hadolint ignore=DL3013
RUN pip install --no-cache-dir ".[server,gpu]"
USER 10001
CMD ["convdiag", "worker", "--queues", "probes", "--concurrency", "1"]

# Last, so a plain `docker build .` makes the API image.
FROM base AS server
# hadolint ignore=DL3013
RUN pip install --no-cache-dir ".[server]"
USER 10001
EXPOSE 8000
# Refuses to start with auth off on 0.0.0.0: set CONVDIAG_API_KEYS (or, on purpose,
# CONVDIAG_ALLOW_NO_AUTH=true).
CMD ["convdiag", "api", "--host", "0.0.0.0", "--port", "8000"]
