#include "report.hpp"

#include <cstdio>

#include "harness.hpp"
#include "options.hpp"

namespace grove::perf {
namespace {

// Field widths shared by the header and the rows, so columns line up without hand-counted spaces.
constexpr const char* kGroupFmt = "  %7s  %6s  %6s  %6s";
constexpr int kLeadWidth = 12 + 2 + 12 + 2 + 8 + 2 + 6 + 2 + 6;
constexpr int kGroupWidth = 2 + 7 + 2 + 6 + 2 + 6 + 2 + 6;

// Three significant digits whatever the magnitude, in at most 7 characters.
std::string formatTime(double us) {
  char buf[32];
  if (us >= 10000) {
    std::snprintf(buf, sizeof buf, "%7.0f", us);
  } else if (us >= 100) {
    std::snprintf(buf, sizeof buf, "%7.1f", us);
  } else {
    std::snprintf(buf, sizeof buf, "%7.2f", us);
  }
  return buf;
}

void printGroup(const Measurement& m) {
  char wrong[32];
  if (m.wrong < 0) {
    std::snprintf(wrong, sizeof wrong, "N/A");
  } else {
    std::snprintf(wrong, sizeof wrong, "%lld", m.wrong);
  }
  char algbw[32], busbw[32];
  std::snprintf(algbw, sizeof algbw, "%6.2f", m.algbw);
  std::snprintf(busbw, sizeof busbw, "%6.2f", m.busbw);
  std::printf(kGroupFmt, formatTime(m.seconds * 1e6).c_str(), algbw, busbw, wrong);
}

std::string centered(const char* title, int width) {
  std::string s(title);
  int pad = width - static_cast<int>(s.size());
  if (pad <= 0) return s;
  return std::string(pad / 2 + pad % 2, ' ') + s + std::string(pad / 2, ' ');
}

}  // namespace

void printHeader(const Collective& coll, const Options& o, int nranks, const std::string& ranksInfo) {
  int version = 0;
  if (!o.mpiBackend) groveGetVersion(&version);
  std::printf("# grove perf: %s_perf  backend %s  buffers %s  algorithm %s  blocking %d", coll.name,
              o.bothBackends ? "both"
              : o.mpiBackend ? "mpi"
                             : "grove",
              o.memory.c_str(), o.algo.empty() ? "default" : o.algo.c_str(), o.blocking);
  if (version) std::printf("  grove %d.%d.%d", version / 10000, version / 100 % 100, version % 100);
  std::printf("\n");
  std::string step =
      o.stepFactor > 1 ? std::to_string(o.stepFactor) + "(factor)" : std::to_string(o.stepBytes) + "(bytes)";
  if (o.stepFactor > 1 && o.stepFactor == static_cast<double>(static_cast<long>(o.stepFactor)))
    step = std::to_string(static_cast<long>(o.stepFactor)) + "(factor)";
  std::printf(
      "# nranks %d minBytes %zu maxBytes %zu step: %s warmup iters: %d iters: %d validation: %d average: "
      "%d\n",
      nranks, o.minBytes, o.maxBytes, step.c_str(), o.warmup, o.iters, o.check, o.average);
  std::printf("#\n# Using ranks\n%s#\n", ranksInfo.c_str());
  std::string titles = "#" + std::string(kLeadWidth - 1, ' ') + centered("out-of-place", kGroupWidth) +
                       centered("in-place", kGroupWidth);
  titles.erase(titles.find_last_not_of(' ') + 1);
  std::printf("%s\n", titles.c_str());
  std::printf("#");
  std::printf("%11s  %12s  %8s  %6s  %6s", "size", "count", "type", "redop", "root");
  std::printf(kGroupFmt, "time", "algbw", "busbw", "#wrong");
  std::printf(kGroupFmt, "time", "algbw", "busbw", "#wrong");
  std::printf("\n#");
  std::printf("%11s  %12s  %8s  %6s  %6s", "(B)", "(elements)", "", "", "");
  std::printf(kGroupFmt, "(us)", "(GB/s)", "(GB/s)", "");
  std::printf("  %7s  %6s  %6s\n", "(us)", "(GB/s)", "(GB/s)");
  std::fflush(stdout);
}

void printRow(size_t bytes, size_t count, const char* type, const char* redop, int root,
              const Measurement& outOfPlace, const Measurement& inPlace, const char* marker) {
  if (marker)
    std::printf("%-4s %7zu  %12zu  %8s  %6s  %6d", marker, bytes, count, type, redop, root);
  else
    std::printf("%12zu  %12zu  %8s  %6s  %6d", bytes, count, type, redop, root);
  printGroup(outOfPlace);
  printGroup(inPlace);
  std::printf("\n");
  std::fflush(stdout);  // rows appear as they are measured, and survive a later abort
}

void printFooter(long long totalWrong, double avgBusbw) {
  std::printf("# Out of bounds values : %lld %s\n", totalWrong, totalWrong == 0 ? "OK" : "FAILED");
  std::printf("# Avg bus bandwidth : %g\n#\n", avgBusbw);
  std::fflush(stdout);
}

}  // namespace grove::perf
