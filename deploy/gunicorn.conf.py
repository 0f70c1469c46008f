"""gunicorn settings for the platform (`make serve`, the systemd unit in docs/deploy.md).

Sized to the machine: one worker process per core plus one, each with a few threads (a request mostly waits
on the database). Each process loads its own copy of the matching engine's vectors, so on a big index with
little memory lower GUNICORN_WORKERS. Every value can be overridden from the environment.
"""

import multiprocessing
import os


def env(name: str, default: str) -> str:
    return os.environ.get(name) or default  # an empty value (as in .env.example) means the default


bind = env("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(env("GUNICORN_WORKERS", str(multiprocessing.cpu_count() + 1)))
threads = int(env("GUNICORN_THREADS", "4"))
timeout = int(env("GUNICORN_TIMEOUT", "60"))  # a bulk import or export runs as a job, not in a request
graceful_timeout = 30
# Recycle workers now and then, so a slow leak in any library cannot grow for ever.
max_requests = 2000
max_requests_jitter = 200
# Only the local reverse proxy may tell gunicorn the original scheme and client address.
forwarded_allow_ips = env("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1")
accesslog = "-"
errorlog = "-"
wsgi_app = "techtransfer.wsgi:application"
# No control socket: it would be written under the service user's home, which the systemd unit keeps read-only.
control_socket_disable = True


def post_worker_init(worker: object) -> None:
    """Each worker loads the statistics store (techtransfer/stats/engine.py) before it takes requests."""
    from techtransfer.stats.engine import warm_up

    warm_up()
