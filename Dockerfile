# Kakehashi matching service: gunicorn + Flask, serving a model trained on the bundled data.
#   docker build -t kakehashi .
#   docker run --rm -p 8000:8000 kakehashi
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

RUN useradd --create-home --uid 10001 --shell /usr/sbin/nologin kakehashi
WORKDIR /app

# Editable install: training reads data/taxonomy.json and data/glossary.csv from beside its
# package (training.taxonomy.data_dir()), so the code stays in /app next to data/.
COPY pyproject.toml README.md ./
COPY kakehashi ./kakehashi
COPY training ./training
COPY service ./service
COPY data ./data
RUN pip install -e . && mkdir models && chown kakehashi:kakehashi models

USER kakehashi
# The bundled model, trained at build time. To serve other models, mount a models directory
# and point KAKEHASHI_MODEL_DIR at it (a newly promoted version is picked up without restart).
RUN python -m training train --companies data/companies.csv \
        --partnerships data/partnerships.csv --models-dir /app/models

ENV KAKEHASHI_MODEL_DIR=/app/models \
    KAKEHASHI_WORKERS=2
EXPOSE 8000
# slim has no curl: probe with Python's standard library.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4)"]
CMD ["gunicorn", "--config", "service/gunicorn_conf.py", "--bind", "0.0.0.0:8000", "service:create_app()"]
