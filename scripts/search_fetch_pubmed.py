"""Snakemake adapter: search PubMed for the new window and store it in its folder (all or
nothing; stored windows are never touched)."""

import logging
import signal
import sys
from pathlib import Path

from reviewflow.core.lifeline import stop_with_snakemake
from reviewflow.core.rulelog import start_rule_log
from reviewflow.search.entrez import EntrezClient, EntrezError, EntrezSettings
from reviewflow.search.windows import Window, fetch_window


def stop_on_sigterm(signum, frame) -> None:
    """Snakemake stops a job with SIGTERM (Ctrl-C, a failed job elsewhere): exit through
    Python so that the fetch removes its temporary folder."""
    raise SystemExit("search_fetch_pubmed: stopped; nothing was stored")


def remove_if_empty(folder: Path) -> None:
    if folder.is_dir() and not any(folder.iterdir()):
        folder.rmdir()


start_rule_log(snakemake.log[0], console=True)
signal.signal(signal.SIGTERM, stop_on_sigterm)
# snakemake killed with SIGKILL cannot stop this job: it stops itself (SIGTERM, as above)
stop_with_snakemake()
window = Window.from_id(snakemake.wildcards.window)
target = Path(snakemake.output[0]).parent
try:
    client = EntrezClient(EntrezSettings.from_config(snakemake.params.pubmed))
    log = fetch_window(
        window, snakemake.params.windows_dir, query=snakemake.params.pubmed["query"], client=client
    )
except (EntrezError, OSError, ValueError) as error:
    remove_if_empty(target)
    logging.error("PubMed search for window %s failed; nothing was stored: %s", window.id, error)
    sys.exit(f"search_fetch_pubmed: window {window.id} not fetched, nothing stored: {error}")
except BaseException:
    remove_if_empty(target)  # no empty window folder left behind
    raise
logging.info(
    "window %s stored: %d records, %d requests (minimum %d)",
    window.id,
    log["count"],
    log["requests"],
    log["minimum_requests"],
)
