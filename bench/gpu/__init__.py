"""The stages of bench/gpu_check.sh: each writes one JSON file with PASS or FAIL and its figures."""

from cfdesk.entry import configure_openmp

configure_openmp()  # before any stage imports torch, as the app and the CLI do
