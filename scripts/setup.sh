#!/usr/bin/env bash
# setup.sh -- everything ssbsim needs on a Debian 12 machine, as root, in one command.
#
#   bash scripts/setup.sh quickstart   install what is missing, build, run cases/quickstart.yaml and plot it
#   bash scripts/setup.sh test         install what is missing, build, run the whole test suite (ctest),
#                                      then the unit and verification tests again under AddressSanitizer
#                                      and UndefinedBehaviorSanitizer
#
# Both are idempotent: packages already installed are not touched, and the builds are incremental.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
what="${1:-quickstart}"
jobs="$(nproc 2>/dev/null || echo 2)"

packages=(build-essential cmake pkg-config git
  petsc-dev libsundials-dev libhdf5-openmpi-dev libopenmpi-dev openmpi-bin
  libyaml-dev libudunits2-dev libmatheval-dev libcmocka-dev libjansson-dev libsuitesparse-dev
  python3 python3-numpy python3-h5py python3-matplotlib clang-format)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "== installing: ${missing[*]}"
  if [ "$(id -u)" != 0 ]; then
    echo "setup.sh: these Debian packages are missing and installing them needs root: ${missing[*]}" >&2
    exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# OpenMPI refuses to start as root unless told; CI and containers run as root.
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
# The OS python has h5py and matplotlib; a pyenv or venv python3 earlier on PATH may not.
py=/usr/bin/python3

build() { # build DIR [cmake options...]
  local dir="$1"
  shift
  cmake -S "$here" -B "$dir" -DCMAKE_BUILD_TYPE=Release "$@" >/dev/null
  cmake --build "$dir" -j "$jobs"
}

case "$what" in
quickstart)
  build "$here/build"
  out="$here/build/quickstart"
  mkdir -p "$out"
  cd "$out"
  "$here/build/ssbsim" run "$here/cases/quickstart.yaml" -o quickstart.h5
  "$py" "$here/scripts/ssbsim_plot.py" quickstart.h5 -o plots
  echo "== results: $out/quickstart.h5, $out/quickstart.csv, plots in $out/plots/"
  ;;
test)
  build "$here/build"
  (cd "$here/build" && ctest --output-on-failure -j "$jobs")
  echo "== unit and verification tests under AddressSanitizer + UndefinedBehaviorSanitizer"
  build "$here/build-asan" -DSSB_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug
  (cd "$here/build-asan" && ASAN_OPTIONS=detect_leaks=0 ctest --output-on-failure -j "$jobs" -L unit)
  ;;
*)
  echo "usage: bash scripts/setup.sh quickstart|test" >&2
  exit 2
  ;;
esac
