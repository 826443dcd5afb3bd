"""Snakemake adapter: search PubMed for the new window and store it in its folder (all or
nothing; stored windows are never touched)."""

import logging
import sys
from pathlib import Path

from reviewflow.entrez import EntrezClient, EntrezError, EntrezSettings
from reviewflow.rulelog import start_rule_log
from reviewflow.windows import Window, fetch_window


def main(sm) -> None:
    start_rule_log(sm.log[0], console=True)
    window = Window.from_id(sm.wildcards.window)
    target = Path(sm.output[0]).parent
    try:
        client = EntrezClient(EntrezSettings.from_config(sm.params.pubmed))
        log = fetch_window(
            window, sm.params.windows_dir, query=sm.params.pubmed["query"], client=client
        )
    except (EntrezError, OSError, ValueError) as error:
        if target.is_dir() and not any(target.iterdir()):
            target.rmdir()
        logging.error(
            "PubMed search for window %s failed; nothing was stored: %s", window.id, error
        )
        sys.exit(f"search_fetch_pubmed: window {window.id} not fetched, nothing stored: {error}")
    logging.info(
        "window %s stored: %d records, %d requests (minimum %d)",
        window.id,
        log["count"],
        log["requests"],
        log["minimum_requests"],
    )


main(snakemake)
