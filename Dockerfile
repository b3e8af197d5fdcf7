# Kakehashi matching service: gunicorn + Flask, serving a model trained on the bundled data.
#   docker build -t kakehashi .
#   docker run --rm -p 8000:8000 kakehashi

# The project's wheel, built from its sources alone (what `pip install .` would install).
FROM python:3.11-slim AS builder
ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_ROOT_USER_ACTION=ignore
WORKDIR /src
COPY pyproject.toml README.md ./
COPY kakehashi ./kakehashi
COPY training ./training
COPY service ./service
RUN pip wheel --no-deps --wheel-dir /wheels .

# The service: the wheel and its runtime dependencies (no dev tools), no source tree.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_ROOT_USER_ACTION=ignore

RUN useradd --create-home --uid 10001 --shell /usr/sbin/nologin kakehashi
WORKDIR /app

COPY --from=builder /wheels /tmp/wheels
RUN pip install /tmp/wheels/kakehashi-*.whl && rm -rf /tmp/wheels \
    && mkdir models var && chown kakehashi:kakehashi models var
# Only the lists the bundled model is trained on; the taxonomy and glossary ship in the wheel.
COPY data/companies.csv data/partnerships.csv ./data/

USER kakehashi
# The bundled model, trained at build time. To serve other models, mount a models directory
# and point KAKEHASHI_MODEL_DIR at it (a newly promoted version is picked up without restart).
RUN python -m training train --companies data/companies.csv \
        --partnerships data/partnerships.csv --models-dir /app/models

# The feedback database (kakehashi.sqlite, WAL): mount a volume on /app/var to keep it.
ENV KAKEHASHI_MODEL_DIR=/app/models \
    KAKEHASHI_DATA_DIR=/app/var \
    KAKEHASHI_WORKERS=2
EXPOSE 8000
# slim has no curl: probe with Python's standard library.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4)"]
# python:service.gunicorn_conf: the settings module installed with the wheel, the same file as
# service/gunicorn_conf.py in the repo.
CMD ["gunicorn", "--config", "python:service.gunicorn_conf", "--bind", "0.0.0.0:8000", "service:create_app()"]
