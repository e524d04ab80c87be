# Production image: gunicorn serves the web; the same image runs the Celery worker and beat.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    LANDKREIS_VAR_DIR=/data \
    DJANGO_STATIC_ROOT=/app/staticfiles

WORKDIR /app
COPY requirements/base.txt requirements/base.txt
RUN pip install -r requirements/base.txt

COPY . .
# Static files are collected at build time with throw-away keys (nothing secret is baked in).
RUN DJANGO_SECRET_KEY=build-only-not-secret \
    LANDKREIS_CREDENTIALS_KEYS=P44T7emdiHUDAMAkgNATPA3m2iKaOFSF3rlIsBSCSAw= \
    python manage.py collectstatic --noinput \
 && useradd --system --uid 10001 --home-dir /app app \
 && mkdir -p /data/media \
 && chown -R app /data

USER app
EXPOSE 8000
CMD ["gunicorn", "landkreis_social.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
