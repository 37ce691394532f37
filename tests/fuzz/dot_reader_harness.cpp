// Fuzz harness for the DOT reader, shared by libFuzzer (fuzz_dot_reader) and the always-on smoke test.
// Oracles: parseDot and validateTopology throw nothing but TopologyError, and whatever parses survives
// writeDot -> parseDot -> writeDot unchanged.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string>
#include <string_view>

#include "schedules/dot_io.hpp"
#include "schedules/validate.hpp"

namespace {

[[noreturn]] void die(const char* what, const std::string& detail) {
  std::fprintf(stderr, "fuzz_dot_reader: %s: %s\n", what, detail.c_str());
  std::abort();
}

void checkRoundTrip(const grove::sched::Topology& topo) {
  using namespace grove::sched;
  std::string written;
  try {
    written = writeDot(topo);
  } catch (const TopologyError&) {
    return;  // a name DOT cannot express (backslash before the closing quote): refused, fine
  }
  try {
    std::string again = writeDot(parseDot(written, "<rewritten>"));
    if (again != written) die("round trip changed the topology", written + "\n---\n" + again);
  } catch (const std::exception& e) {
    die("writeDot output does not parse", std::string(e.what()) + "\n" + written);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace grove::sched;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  try {
    Topology topo = parseDot(text);
    try {
      validateTopology(topo);
    } catch (const TopologyError&) {
    }
    checkRoundTrip(topo);
  } catch (const TopologyError&) {
    // The only acceptable failure.
  } catch (const std::exception& e) {
    die("unexpected exception type", e.what());
  } catch (...) {
    die("unexpected exception", "not derived from std::exception");
  }
  return 0;
}
