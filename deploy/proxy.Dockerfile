# The reverse proxy: Debian's nginx, the package the tests run, with deploy/nginx.conf
# (mounted by docker-compose.yml). Runs unprivileged; it writes only under /tmp.
# tests/test_deploy.py lints this file with hadolint, as it does ../Dockerfile.
FROM debian:bookworm-slim
# Debian's current package, like the base image (pinned versions vanish from the mirror
# with each security update).
# hadolint ignore=DL3008
RUN apt-get update \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends nginx-light \
    && rm -rf /var/lib/apt/lists/*
# www-data, by number (Debian's base-passwd fixes it at 33), so that the host and Compose
# resolve the same user.
USER 33:33
EXPOSE 8080
CMD ["nginx", "-p", "/tmp/", "-c", "/etc/convdiag/nginx.conf", "-e", "stderr", "-g", "daemon off;"]
