#include "options.hpp"

#include <getopt.h>

#include <cstdlib>

#include "datatypes.hpp"

namespace grove::perf {
namespace {

bool parseInt(const char* s, int lo, int hi, int* out) {
  char* end = nullptr;
  long v = std::strtol(s, &end, 10);
  if (end == s || *end != '\0' || v < lo || v > hi) return false;
  *out = static_cast<int>(v);
  return true;
}

}  // namespace

bool parseSize(const std::string& s, size_t* out) {
  char* end = nullptr;
  double v = std::strtod(s.c_str(), &end);
  if (end == s.c_str() || v < 0) return false;
  std::string suffix(end);
  double mult = 1;
  if (suffix == "K" || suffix == "k") {
    mult = 1024.0;
  } else if (suffix == "M" || suffix == "m") {
    mult = 1024.0 * 1024;
  } else if (suffix == "G" || suffix == "g") {
    mult = 1024.0 * 1024 * 1024;
  } else if (!suffix.empty()) {
    return false;
  }
  *out = static_cast<size_t>(v * mult);
  return true;
}

std::string usage(const char* prog) {
  return std::string("usage: ") + prog +
         " [options]\n"
         "  -b,--minbytes SIZE      smallest size (K/M/G suffixes), default 32M\n"
         "  -e,--maxbytes SIZE      largest size, default 32M\n"
         "  -i,--stepbytes SIZE     additive step when -f is 1, default 1M\n"
         "  -f,--stepfactor F       multiplicative step, default 1 (off)\n"
         "  -n,--iters N            timed iterations per size, default 20\n"
         "  -w,--warmup_iters N     untimed iterations before each timing, default 1\n"
         "  -c,--check N            check iterations per size (fresh data each), 0 = off, default 1\n"
         "  -d,--datatype T         int8 uint8 int32 uint32 int64 uint64 half bfloat16 float double\n"
         "                          fp8e4m3 fp8e5m2 or all, default float\n"
         "  -o,--op OP              sum prod max min avg or all, default sum\n"
         "  -r,--root R             root of broadcast and reduce, default 0\n"
         "  -a,--average A          time reported: 0 rank 0, 1 mean, 2 min, 3 max over ranks, default 1\n"
         "  -z,--blocking 0|1       0: queue on a grove stream and synchronize; 1: NULL stream, default 0\n"
         "  -A,--algo NAME          force a grove algorithm (sets GROVE_ALGO)\n"
         "  -M,--memory KIND        host (malloc), shm (groveMemAlloc + groveCommRegister), opencl\n"
         "  -B,--backend B          grove, mpi (the MPI library's own collective), or both: every size is\n"
         "                          measured with grove and then with MPI, the MPI row marked #mpi;\n"
         "                          default grove\n"
         "  -h,--help               this text\n";
}

bool parseOptions(int argc, char** argv, Options* o, std::string* error) {
  static const option kLong[] = {{"minbytes", required_argument, nullptr, 'b'},
                                 {"maxbytes", required_argument, nullptr, 'e'},
                                 {"stepbytes", required_argument, nullptr, 'i'},
                                 {"stepfactor", required_argument, nullptr, 'f'},
                                 {"iters", required_argument, nullptr, 'n'},
                                 {"warmup_iters", required_argument, nullptr, 'w'},
                                 {"check", required_argument, nullptr, 'c'},
                                 {"datatype", required_argument, nullptr, 'd'},
                                 {"op", required_argument, nullptr, 'o'},
                                 {"root", required_argument, nullptr, 'r'},
                                 {"average", required_argument, nullptr, 'a'},
                                 {"blocking", required_argument, nullptr, 'z'},
                                 {"algo", required_argument, nullptr, 'A'},
                                 {"memory", required_argument, nullptr, 'M'},
                                 {"backend", required_argument, nullptr, 'B'},
                                 {"help", no_argument, nullptr, 'h'},
                                 {nullptr, 0, nullptr, 0}};
  opterr = 0;
  optind = 1;
  int c;
  while ((c = getopt_long(argc, argv, "b:e:i:f:n:w:c:d:o:r:a:z:A:M:B:h", kLong, nullptr)) != -1) {
    std::string arg = optarg ? optarg : "";
    bool ok = true;
    switch (c) {
      case 'b':
        ok = parseSize(arg, &o->minBytes);
        break;
      case 'e':
        ok = parseSize(arg, &o->maxBytes);
        break;
      case 'i':
        ok = parseSize(arg, &o->stepBytes);
        break;
      case 'f': {
        char* end = nullptr;
        o->stepFactor = std::strtod(optarg, &end);
        ok = end != optarg && *end == '\0' && o->stepFactor >= 1;
        break;
      }
      case 'n':
        ok = parseInt(optarg, 1, 1 << 30, &o->iters);
        break;
      case 'w':
        ok = parseInt(optarg, 0, 1 << 30, &o->warmup);
        break;
      case 'c':
        ok = parseInt(optarg, 0, 1 << 20, &o->check);  // below 2^kIterBits (harness.cpp)
        break;
      case 'd':
        o->types = parseTypes(arg);
        ok = !o->types.empty();
        break;
      case 'o':
        o->ops = parseOps(arg);
        ok = !o->ops.empty();
        break;
      case 'r':
        ok = parseInt(optarg, 0, 1 << 30, &o->root);
        break;
      case 'a':
        ok = parseInt(optarg, 0, 3, &o->average);
        break;
      case 'z':
        ok = parseInt(optarg, 0, 1, &o->blocking);
        break;
      case 'A':
        o->algo = arg;
        break;
      case 'M':
        o->memory = arg;
        ok = arg == "host" || arg == "shm" || arg == "opencl";
        break;
      case 'B':
        o->mpiBackend = arg == "mpi";
        o->bothBackends = arg == "both";
        ok = arg == "mpi" || arg == "grove" || arg == "both";
        break;
      case 'h':
        o->help = true;
        break;
      default:
        *error =
            std::string("unknown option or missing argument: ") + (argv[optind - 1] ? argv[optind - 1] : "?");
        return false;
    }
    if (!ok) {
      *error = std::string("bad value for -") + static_cast<char>(c) + ": '" + arg + "'";
      return false;
    }
  }
  if (optind < argc) {
    *error = std::string("unexpected argument: ") + argv[optind];
    return false;
  }
  if (o->minBytes > o->maxBytes) {
    *error = "-b must not exceed -e";
    return false;
  }
  return true;
}

std::vector<size_t> sizeSequence(const Options& o) {
  std::vector<size_t> sizes;
  size_t s = o.minBytes;
  while (s <= o.maxBytes) {
    sizes.push_back(s);
    size_t next =
        o.stepFactor > 1 ? static_cast<size_t>(static_cast<double>(s) * o.stepFactor) : s + o.stepBytes;
    if (next <= s) break;  // -b 0 with a factor, or a zero step: one size only
    s = next;
  }
  return sizes;
}

}  // namespace grove::perf
