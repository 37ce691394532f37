#!/usr/bin/env bash
# The test command: install, build, run the whole suite through ctest. CI calls this (.ci/run).
# GROVE_TEST_PRESETS picks the builds (default: release, then asan, then under tsan the primitive tests, the
# stream's lock-free ring, and the C API tests of streams and of releasing resources, the threaded parts).
set -euo pipefail
cd "$(dirname "$0")"
source scripts/common.sh
grove_install_packages
presets=${GROVE_TEST_PRESETS:-"release asan tsan"}
export GROVE_TIMEOUT_MS=${GROVE_TIMEOUT_MS:-20000}
for preset in $presets; do
  echo "== preset $preset"
  case $preset in
    tsan)
      grove_build tsan --target grove_core_tests grove_collectives_unit_tests grove_capi_stream_test \
        grove_capi_resources_test
      (cd build/tsan && TSAN_OPTIONS="halt_on_error=1" ctest -L primitive --output-on-failure --timeout 300 &&
        TSAN_OPTIONS="halt_on_error=1" ctest -R '^(StreamRing|Streams|Resources)[.]' -j2 --output-on-failure \
          --timeout 300) ;;
    asan)
      grove_build asan
      (cd build/asan && ASAN_OPTIONS="detect_leaks=1" ctest -LE slow --output-on-failure --timeout 600) ;;
    *)
      grove_build "$preset"
      (cd "build/$preset" && ctest --output-on-failure --timeout 600) ;;
  esac
done
