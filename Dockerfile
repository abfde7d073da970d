# One image for the API and both kinds of worker; docker-compose.yml picks the command.
FROM python:3.11-slim

# A GPU probe worker is built with --build-arg TF_PACKAGE="tensorflow[and-cuda]".
ARG TF_PACKAGE=""

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
WORKDIR /app
COPY pyproject.toml README.md ./
COPY convdiag ./convdiag
COPY diagnosis ./diagnosis
COPY service ./service
COPY worker ./worker
RUN pip install --no-cache-dir . \
    && if [ -n "$TF_PACKAGE" ]; then pip uninstall -y tensorflow-cpu && pip install --no-cache-dir "$TF_PACKAGE"; fi

RUN useradd --create-home convdiag
USER convdiag
EXPOSE 8000
CMD ["uvicorn", "--factory", "service.main:create_app", "--host", "0.0.0.0", "--port", "8000"]
