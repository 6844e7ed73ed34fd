#!/bin/bash
# Full AG News with npc on a Slurm cluster: an array of test shards, then a merge that waits for them.
# Submit with:  ./slurm-eval.sh            (from a folder every node sees; npc installed on the nodes)
set -euo pipefail
SHARDS=${SHARDS:-16}
TRAIN=${TRAIN:-$HOME/.cache/npc/ag_news/train.jsonl}   # npc data get ag_news fetched these
TEST=${TEST:-$HOME/.cache/npc/ag_news/test.jsonl}
mkdir -p parts logs

# One array task per test shard; each uses the CPUs Slurm gives it (--jobs) and writes its part.
ARRAY=$(sbatch --parsable --array=0-$((SHARDS - 1)) --cpus-per-task=4 --mem=2G --time=02:00:00 \
  --job-name=npc-eval --output=logs/eval-%a.log \
  --wrap "npc eval --train $TRAIN --test $TEST -k 1,2,3,5 --quiet --jobs \$SLURM_CPUS_PER_TASK \
          --shard auto --save-neighbors parts/part-\$SLURM_ARRAY_TASK_ID.nbr")

# The merge runs only if every shard succeeded; it writes what one unsharded run would, byte for byte.
sbatch --dependency=afterok:"$ARRAY" --job-name=npc-merge --output=logs/merge.log \
  --wrap "npc merge parts/part-*.nbr -o ag_news.nbr && npc score ag_news.nbr --train $TRAIN --test $TEST -k 1,2,3,5"
