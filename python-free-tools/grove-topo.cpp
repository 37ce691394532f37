// grove-topo: generate, detect and validate topology files (DOT, docs/topologies.md).
//   grove-topo generate KIND [--boxes N] [--size N] [--rows R --cols C]
//                            [--leaves L --spines S --hosts-per-leaf H --oversubscription X] [--bw GBPS] [-o
//                            FILE]
//   grove-topo detect [--no-nics] [-o FILE]
//   grove-topo validate FILE
// Errors go to stderr with exit code 1; nothing escapes main as an exception.
#include <exception>
#include <fstream>
#include <iostream>
#include <string>

#include <CLI/CLI.hpp>

#include "schedules/detect.hpp"
#include "schedules/dot_io.hpp"
#include "schedules/generators.hpp"
#include "schedules/validate.hpp"

namespace {

using namespace grove::sched;

// Parses "1.5" or "4/3" exactly; CLI11 would go through double.
Rational exactNumber(const std::string& flag, const std::string& text) {
  auto value = parseRationalText(text);
  if (!value)
    throw TopologyError("--" + flag + " needs a non-negative number such as 2, 1.5 or 4/3, not '" + text +
                        "'");
  return *value;
}

void emit(const std::string& text, const std::string& path) {
  if (path.empty() || path == "-") {
    std::cout << text << std::flush;
    if (!std::cout) throw std::runtime_error("cannot write to standard output");
    return;
  }
  std::ofstream out(path, std::ios::binary);
  out << text;
  out.close();
  if (!out) throw std::runtime_error("cannot write '" + path + "'");
}

std::string summary(const Topology& topo) {
  int switches = topo.nodeCount() - topo.rankCount();
  return topo.name + ": " + std::to_string(topo.rankCount()) + " ranks, " + std::to_string(switches) +
         " switches, " + std::to_string(topo.links().size()) + " directed links; valid";
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"grove-topo: generate, detect and validate grove topology files (GraphViz DOT)"};
  app.require_subcommand(1);

  std::string kind, output, bw = "0", oversubscription = "1";
  GeneratorOptions opt;
  std::string kindsList;
  for (const std::string& k : generatorKinds()) kindsList += (kindsList.empty() ? "" : ", ") + k;
  auto* generate = app.add_subcommand("generate", "Write a synthetic topology (kinds: " + kindsList + ")");
  generate->add_option("kind", kind, "Topology kind: " + kindsList)->required();
  generate->add_option("--boxes", opt.boxes, "dgx-a100, dgx-h100, mi250: number of boxes")
      ->capture_default_str();
  generate->add_option("--size", opt.size, "ring: number of nodes")->capture_default_str();
  generate->add_option("--rows", opt.rows, "torus2d: rows")->capture_default_str();
  generate->add_option("--cols", opt.cols, "torus2d: columns")->capture_default_str();
  generate->add_option("--leaves", opt.leaves, "fat-tree: leaf switches")->capture_default_str();
  generate->add_option("--spines", opt.spines, "fat-tree: spine switches")->capture_default_str();
  generate->add_option("--hosts-per-leaf", opt.hostsPerLeaf, "fat-tree: hosts per leaf")
      ->capture_default_str();
  generate
      ->add_option("--oversubscription", oversubscription,
                   "fat-tree: host-facing / spine-facing bandwidth of a leaf (e.g. 1, 2, 1.5)")
      ->capture_default_str();
  generate
      ->add_option("--bw", bw,
                   "Main link bandwidth in GB/s (NVSwitch port, xGMI link, ring/torus link, host link); "
                   "0 = kind default")
      ->capture_default_str();
  generate->add_option("-o,--output", output, "Output file (default: standard output)");

  bool noNics = false;
  auto* detect = app.add_subcommand("detect", "Describe this machine through hwloc");
  detect->add_flag("--no-nics", noNics, "Leave network interfaces out");
  detect->add_option("-o,--output", output, "Output file (default: standard output)");

  std::string file;
  auto* validate = app.add_subcommand("validate", "Check a topology file and print a summary");
  validate->add_option("file", file, "Topology file (DOT)")->required();

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // --help exits 0; usage errors print CLI11's message and exit 2, keeping 1 for invalid topologies.
    int code = app.exit(e);
    return code == 0 ? 0 : 2;
  }

  try {
    if (*generate) {
      opt.bw = exactNumber("bw", bw);
      opt.oversubscription = exactNumber("oversubscription", oversubscription);
      Topology topo = generateTopology(kind, opt);
      validateTopology(topo);
      emit(writeDot(topo), output);
    } else if (*detect) {
      DetectOptions detectOpt;
      detectOpt.includeNics = !noNics;
      Topology topo = detectLocalTopology(detectOpt);
      validateTopology(topo);
      emit(writeDot(topo), output);
    } else if (*validate) {
      Topology topo = readDotFile(file);
      try {
        validateTopology(topo);
      } catch (const TopologyError& e) {
        throw TopologyError(e.detail(), 0, file);
      }
      std::cout << summary(topo) << "\n";
    }
  } catch (const std::exception& e) {
    std::cerr << "grove-topo: " << e.what() << "\n";
    return 1;
  } catch (...) {
    std::cerr << "grove-topo: unknown error\n";
    return 1;
  }
  return 0;
}
