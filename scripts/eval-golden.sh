#!/usr/bin/env bash
# The golden eval set as a release gate: the sample help center (examples/help-center)
# ingested into a fresh embedded database, then `oriole eval` on
# evals/datasets/help-center.jsonl with --fail-under bounds at the measured level.
# The offline default (lexical retrieval, extractive reader) is deterministic, so a
# retrieval, reader or abstention change that costs one case fails this gate.
# When a change is meant to move these figures, measure and update the bounds here,
# and say so in the commit.
#   EVAL_OUT=DIR  where the reports go (default eval-reports/golden)
set -euo pipefail
cd "$(dirname "$0")/.."

data=$(mktemp -d)
trap 'rm -rf "$data"' EXIT
export ORIOLE_DATA_DIR="$data" ORIOLE_EMBEDDER=none ORIOLE_RERANKER=none ORIOLE_LLM=extractive ORIOLE_LOG_LEVEL=warn
unset DATABASE_URL ORIOLE_JUDGE

node bin/oriole.js ingest examples/help-center --kb help-center
# A support team's curated answers and hand-off contact: cases tagged curated and handoff test them.
node bin/oriole.js curated import evals/datasets/help-center-curated.jsonl --kb help-center
node bin/oriole.js kb settings help-center --set 'handoff={"url":"https://parley.example/support"}' >/dev/null
# Measured on 2026-12-07 (108 cases: 101, plus 4 curated-answer and 3 hand-off cases): hit@5 0.976,
# MRR 0.943, nDCG 0.949, token F1 0.371, citation precision 0.792 / recall 0.837 / validity 1,
# faithfulness 0.939, nugget recall 1 (the 7 new cases), truthfulness 0.241,
# abstention precision 0.708 / recall 0.773.
# Re-measured with the XLSX price list and the PPTX deck in the help center (112 cases: 4 new ones
# answered from a cell and a slide, all cited right; 5 older cases list the new file among their gold
# sources, as it answers them too): hit@5 0.977, MRR 0.940, nDCG 0.929, token F1 0.374, citation
# precision 0.765 / recall 0.793 / validity 1, faithfulness 0.942, nugget recall 1, truthfulness 0.268,
# abstention precision 0.708 / recall 0.773. Citation recall and nDCG fall mostly where a case gained
# a second gold source that the answer does not cite; precision where the deck's dense bullets draw
# the extractive reader away from the article (hc-025, hc-039).
node bin/oriole.js eval evals/datasets/help-center.jsonl --kb help-center --out "${EVAL_OUT:-eval-reports/golden}" \
  --fail-under retrieval.hit_at_k=0.97 \
  --fail-under retrieval.mrr=0.935 \
  --fail-under retrieval.ndcg_at_k=0.92 \
  --fail-under answer.token_f1=0.365 \
  --fail-under citations.precision=0.76 \
  --fail-under citations.recall=0.79 \
  --fail-under citations.validity=1 \
  --fail-under faithfulness=0.93 \
  --fail-under nuggets.recall=1 \
  --fail-under truthfulness=0.26 \
  --fail-under abstention.precision=0.70 \
  --fail-under abstention.recall=0.77
