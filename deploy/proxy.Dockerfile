# The reverse proxy: Debian's nginx, the package the tests run, with deploy/nginx.conf
# (mounted by docker-compose.yml). Runs unprivileged; it writes only under /tmp.
FROM debian:bookworm-slim
RUN apt-get update \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends nginx-light \
    && rm -rf /var/lib/apt/lists/*
USER www-data
EXPOSE 8080
CMD ["nginx", "-p", "/tmp/", "-c", "/etc/convdiag/nginx.conf", "-e", "stderr", "-g", "daemon off;"]
