// grove-schedule: throughput-optimal spanning-tree schedules (allgather, reduce-scatter, allreduce) for a
// topology, their bound, exports (plan JSON, MSCCL XML, Graphviz) and an independent plan checker.
#include <CLI/CLI.hpp>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "schedules/baselines.hpp"
#include "schedules/dot_io.hpp"
#include "schedules/msccl_xml.hpp"
#include "schedules/plan.hpp"
#include "schedules/plan_check.hpp"
#include "schedules/schedule_dot.hpp"
#include "schedules/solver.hpp"
#include "schedules/validate.hpp"

namespace {

using namespace grove::sched;
using Clock = std::chrono::steady_clock;

std::string readFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read '" + path + "'");
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

void writeOutput(const std::string& path, const std::string& text) {
  if (path.empty() || path == "-") {
    std::cout << text;
    return;
  }
  std::ofstream out(path, std::ios::binary);
  if (!out || !(out << text)) throw std::runtime_error("cannot write '" + path + "'");
}

// Reports progress on stderr once a solve has run for more than 2 s, at most once per second.
ProgressFn progressReporter(Clock::time_point start) {
  auto last = std::make_shared<Clock::time_point>(start);
  return [start, last](const std::string& phase, double fraction) {
    auto now = Clock::now();
    if (now - start < std::chrono::seconds(2) || now - *last < std::chrono::seconds(1)) return;
    *last = now;
    std::fprintf(stderr, "grove-schedule: %s %.0f%% (%.1f s)\n", phase.c_str(), fraction * 100,
                 std::chrono::duration<double>(now - start).count());
  };
}

Topology loadTopology(const std::string& path) {
  Topology topo = readDotFile(path);
  validateTopology(topo);
  return topo;
}

int runCheck(const std::string& planPath, const std::string& topoPath) {
  Topology topo = readDotFile(topoPath);
  PlanCheckResult r = checkPlan(readFile(planPath), topo);
  if (!r.ok) {
    for (const std::string& v : r.violations) std::fprintf(stderr, "grove-schedule check: %s\n", v.c_str());
    std::fprintf(stderr, "grove-schedule check: FAILED (%zu violations)\n", r.violations.size());
    return 1;
  }
  std::printf("plan OK: %s, %d ranks, %d trees, algbw %.3f GB/s (exact %s)\n", r.collective.c_str(), r.ranks,
              r.trees, r.algbw.toDouble(), r.algbw.toString().c_str());
  return 0;
}

struct Options {
  std::string topology, collective = "allgather", treesPerRoot = "auto", format = "plan", output;
  std::string algorithm = "forestcoll";
  bool summary = false, bound = false, stats = false;
};

int runSolve(const Options& o) {
  auto start = Clock::now();
  if (o.format != "plan" && o.format != "msccl-xml" && o.format != "dot")
    throw std::invalid_argument("--format must be plan, msccl-xml or dot");
  Topology topo = loadTopology(o.topology);
  Collective coll = parseCollective(o.collective);
  if (o.bound) {
    Fraction opt = optimalAlgbw(topo, coll, {}, progressReporter(start));
    nlohmann::ordered_json j;
    j["collective"] = collectiveName(coll);
    j["ranks"] = topo.rankCount();
    j["optimal_algbw"] = opt.toDouble();
    j["optimal_algbw_exact"] = opt.toString();
    j["seconds"] = std::chrono::duration<double>(Clock::now() - start).count();
    std::cout << j.dump() << "\n";
    return 0;
  }
  SolveOptions so;
  so.collective = coll;
  if (o.treesPerRoot != "auto") {
    std::size_t used = 0;
    long long k = 0;
    try {
      k = std::stoll(o.treesPerRoot, &used);
    } catch (const std::exception&) {
      used = 0;
    }
    if (used != o.treesPerRoot.size() || k < 1)
      throw std::invalid_argument("--trees-per-root must be 'auto' or a positive integer");
    so.treesPerRoot = k;
  }
  so.progress = progressReporter(start);
  Schedule schedule;
  Fraction optimal, achieved;
  if (o.algorithm == "forestcoll") {
    SolveResult r = solveSchedule(topo, so);
    schedule = std::move(r.schedule);
    optimal = r.optimalAlgbw;
    achieved = r.scheduleAlgbw;
    if (o.stats)
      std::fprintf(stderr,
                   "grove-schedule: optimum %.3f s, tree rate %.3f s, switch removal %.3f s (%lld max-flows, "
                   "%lld splits), packing %.3f s (%lld max-flows, %lld groups), paths %.3f s\n",
                   r.phaseSeconds[0], r.phaseSeconds[1], r.phaseSeconds[2],
                   static_cast<long long>(r.split.maxflows), static_cast<long long>(r.split.splits),
                   r.phaseSeconds[3], static_cast<long long>(r.pack.maxflows),
                   static_cast<long long>(r.pack.groups), r.phaseSeconds[4]);
    if (o.stats) {
      const GreedyStats& gs = r.greedy;
      if (gs.succeeded)
        std::fprintf(stderr,
                     "grove-schedule: packing path: greedy fast path (%s order, attempt %d), %.3f s "
                     "(%lld trees, %lld searches, %lld rescans)\n",
                     greedyOrderName(gs.order), gs.attempts, r.phaseSeconds[5],
                     static_cast<long long>(gs.treesBuilt), static_cast<long long>(gs.searches),
                     static_cast<long long>(gs.rescans));
      else if (gs.verifyFailed)
        std::fprintf(stderr,
                     "grove-schedule: packing path: exact (the greedy packing failed its re-check)\n");
      else
        std::fprintf(stderr,
                     "grove-schedule: packing path: exact (%d greedy runs stuck after %.3f s; last on "
                     "tree %lld, root %s reached %lld of %d ranks)\n",
                     gs.attempts, r.phaseSeconds[5], static_cast<long long>(gs.treesBuilt + 1),
                     gs.stuckRoot >= 0 ? topo.nodes()[gs.stuckRoot].name.c_str() : "-",
                     static_cast<long long>(gs.stuckReached), topo.rankCount());
    }
  } else if (o.algorithm == "ring" || o.algorithm == "double-binary-tree") {
    schedule = o.algorithm == "ring" ? ringSchedule(topo, coll) : doubleBinaryTreeSchedule(topo, coll);
    optimal = optimalAlgbw(topo, coll);
    achieved = scheduleAlgbw(topo, schedule);
  } else {
    throw std::invalid_argument("--algorithm must be forestcoll, ring or double-binary-tree");
  }
  double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  // With --summary and no -o the summary alone goes to stdout.
  if (!o.summary || !o.output.empty()) {
    std::string text;
    if (o.format == "plan") {
      text = writePlanJson(topo, schedule, PlanInfo{optimal.toString(), achieved.toString()});
    } else if (o.format == "msccl-xml") {
      MscclXml x = writeMscclXml(topo, schedule, "grove " + o.algorithm + " " + collectiveName(coll));
      for (const std::string& w : x.warnings)
        std::fprintf(stderr, "grove-schedule: warning: MSCCL XML %s\n", w.c_str());
      text = x.xml;
    } else if (o.format == "dot") {
      text = writeScheduleDot(topo, schedule);
    } else {
      throw std::invalid_argument("--format must be plan, msccl-xml or dot");
    }
    writeOutput(o.output, text);
  }
  if (o.summary) {
    nlohmann::ordered_json j;
    j["collective"] = collectiveName(coll);
    j["ranks"] = topo.rankCount();
    j["trees_per_root"] = schedule.treesPerRoot;
    j["optimal_algbw"] = optimal.toDouble();
    j["schedule_algbw"] = achieved.toDouble();
    j["trees"] = schedule.trees.size();
    j["seconds"] = seconds;
    std::cout << j.dump() << "\n";
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"grove-schedule: throughput-optimal spanning-tree schedules for a topology"};
  Options o;
  app.add_option("--topology,-t", o.topology, "Topology DOT file")->required();
  app.add_option("--collective,-c", o.collective, "allgather | reduce-scatter | allreduce")
      ->capture_default_str();
  app.add_option("--trees-per-root,-k", o.treesPerRoot, "auto (smallest k reaching the optimum) or K")
      ->capture_default_str();
  app.add_option("--format,-f", o.format, "plan | msccl-xml | dot")->capture_default_str();
  app.add_option("--output,-o", o.output, "Output file (default: stdout)");
  app.add_flag("--summary", o.summary, "Print a one-line JSON summary");
  app.add_flag("--bound", o.bound, "Print the optimal algbw only");
  app.add_flag("--stats", o.stats, "Print solver phase times and max-flow counts on stderr");
  app.add_option("--algorithm", o.algorithm, "forestcoll | ring | double-binary-tree (baselines)")
      ->capture_default_str();
  std::string planPath;
  CLI::App* check = app.add_subcommand("check", "Verify a plan against the topology, print its algbw");
  check->add_option("plan", planPath, "Plan JSON file")->required();
  check->fallthrough();
  app.require_subcommand(0, 1);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  try {
    if (check->parsed()) return runCheck(planPath, o.topology);
    return runSolve(o);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "grove-schedule: error: %s\n", e.what());
    return 1;
  }
}
