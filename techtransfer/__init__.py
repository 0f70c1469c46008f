"""The TechTransfer platform (Django project package)."""

import os

# numpy's BLAS starts one thread per core for every matrix product. On the small machines this runs on, the
# web and worker processes already use the cores, and the extra threads made sentence embedding and vector
# search 3-4 times slower (BENCHMARKS.md, "Matching engine: speed and memory"). Set before numpy is imported;
# an explicit environment value wins.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
