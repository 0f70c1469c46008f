#!/usr/bin/env python
"""How the demo's achievements match its demands: how many matches are shown, how many folded, and on what.

    .venv/bin/python bench/demo_match_reasons.py           # a scratch SQLite database under /tmp
    .venv/bin/python bench/demo_match_reasons.py --json

Loads the small demo (`seed_demo --size small`, what `make run` shows) into a throw-away database, embeds it
with the fuse model, and runs `matching.engine.match` for every public achievement against the demands (10
each, as the record page's panel). It counts the matches shown and folded under "weaker matches", and lists
the shown ones that rest on a single shared word: those are where a generic word (材料, 氧化) could pass for a
reason. Nothing is written to BENCHMARKS.md; the figures are quoted there with the date.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--json", action="store_true", help="Print the figures as JSON only.")
    args = parser.parse_args()
    scratch = Path(tempfile.mkdtemp(prefix="demo-reasons-"))
    os.environ.update(
        DATABASE_URL=f"sqlite:///{scratch / 'demo.sqlite3'}",
        DJANGO_SETTINGS_MODULE="techtransfer.settings",
        MATCHING_EMBEDDER="fuse",
        MATCHING_INDEX_DIR=str(scratch / "vectors"),
        SEARCH_INDEX_DIR=str(scratch / "search"),
        JOBS_BACKEND="off",
    )
    os.environ.setdefault("SECRET_KEY_FILE", str(ROOT / "var" / "secret_key"))
    import django

    django.setup()
    from django.core.management import call_command

    from techtransfer.matching.engine import match, source_for_document
    from techtransfer.matching.indexing import embed_pending
    from techtransfer.search.models import SearchDocument

    call_command("migrate", verbosity=0)
    call_command("seed_demo", size="small", verbosity=0)
    embed_pending()
    titles = dict(SearchDocument.objects.filter(kind="demand").values_list("object_id", "title"))
    shown, folded, one_word = 0, 0, []
    for doc in SearchDocument.objects.filter(kind="achievement", is_public=True).order_by("object_id"):
        source = source_for_document("achievement", doc.object_id)
        if source is None:
            continue
        for found in match(source, kind="demand", limit=10):
            folded += found.weak
            shown += not found.weak
            if not found.weak and len(found.reason_words) == 1:
                one_word.append(
                    {
                        "achievement": doc.title.split(" ")[0],
                        "demand": titles.get(found.object_id, ""),
                        "word": found.reason_words[0],
                        "cosine": found.semantic_score,
                    }
                )
    figures = {"matches": shown + folded, "shown": shown, "folded": folded, "shown_on_one_word": one_word}
    if args.json:
        print(json.dumps(figures, ensure_ascii=False, indent=1))
        return
    print(f"{shown + folded} matches: {shown} shown, {folded} folded; {len(one_word)} shown on a single shared word")
    for row in one_word:
        print(f"  {row['word']}\t{row['cosine']}\t{row['achievement']} → {row['demand']}")


if __name__ == "__main__":
    main()
