# Shared by run.sh and test.sh: install the Debian packages grove needs, then configure and build a preset.
# Sourced, not run.

GROVE_PACKAGES=(cmake ninja-build g++ pkg-config libopenmpi-dev openmpi-bin libhwloc-dev libibverbs-dev
  ocl-icd-opencl-dev opencl-headers pocl-opencl-icd libboost-graph-dev nlohmann-json3-dev libcli11-dev
  libgtest-dev graphviz gnuplot-nox clang libclang-rt-14-dev iproute2)

grove_install_packages() {
  local missing=()
  for p in "${GROVE_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" -ne 0 ]; then
    echo "grove needs these Debian packages; run as root:" >&2
    echo "  apt-get update && apt-get install -y ${missing[*]}" >&2
    return 1
  fi
  echo "== installing: ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
}

# mpirun refuses to run as root unless told that this is intended.
if [ "$(id -u)" -eq 0 ]; then
  export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
fi
export OMPI_MCA_rmaps_base_oversubscribe=1

grove_build() {  # grove_build PRESET [cmake --build args...]
  local preset=$1; shift
  if [ ! -f "build/$preset/CMakeCache.txt" ]; then
    cmake --preset "$preset" >/dev/null
  fi
  cmake --build --preset "$preset" -j "$(nproc)" "$@"
}
