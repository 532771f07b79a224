#!/usr/bin/env bash
# One µTransfer sweep spread over a Slurm job array: task i of N runs shard i/N of the same grid into its own folder
# on the shared filesystem. Submit with `sbatch examples/sweeps/slurm-array.sh`, then merge with
#   dotnet run --project src/MupGen.Cli -c Release -- report sweeps/mlp-width/shard-*
# A task that is preempted or times out resumes where it stopped when it is requeued (finished trials are in its
# trials.jsonl and are skipped), so --requeue is safe.
#SBATCH --job-name=mupgen-sweep
#SBATCH --array=0-7
#SBATCH --cpus-per-task=2
#SBATCH --time=02:00:00
#SBATCH --requeue
#SBATCH --output=sweeps/logs/%A_%a.out
set -euo pipefail
cd "${SLURM_SUBMIT_DIR:-$PWD}"
export OMP_NUM_THREADS="${SLURM_CPUS_PER_TASK:-1}"
SHARDS="${SLURM_ARRAY_TASK_COUNT:-8}"
# Build once per task (fast when up to date); a prebuilt tool (`dotnet tool install`) works the same: mupgen sweep ...
dotnet run --project src/MupGen.Cli -c Release -- sweep \
  --model mlp --widths 64,128,256,512,1024 --log2-lr -12:-4 --seeds 3 --param mup,sp \
  --shard "${SLURM_ARRAY_TASK_ID}/${SHARDS}" \
  --out "sweeps/mlp-width/shard-${SLURM_ARRAY_TASK_ID}"
