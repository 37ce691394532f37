#include "plan_check.hpp"

#include <map>
#include <set>
#include <unordered_map>

#include <nlohmann/json.hpp>

namespace grove::sched {
namespace {

using json = nlohmann::json;

class Checker {
 public:
  Checker(const Topology& topo, PlanCheckResult& res) : topo_(topo), res_(res) {
    for (const Link& l : topo.links()) bw_[{l.src, l.dst}] += l.bw;
    ranks_ = topo.computeNodes();
    rankOf_.assign(topo_.nodes().size(), -1);
    for (std::size_t r = 0; r < ranks_.size(); ++r) rankOf_[ranks_[r]] = static_cast<int>(r);
    shareSum_.assign(ranks_.size(), Fraction(0));
  }

  // Parses the plan. Each element of the top-level "trees" array is checked and reduced to its root, share
  // and paths as soon as it is read, then dropped, so a plan with millions of edges never sits in memory as
  // a JSON tree. Link checks wait for the end: they depend on "collective", which may come later.
  json parse(const std::string& text) {
    std::string key;  // the last key of the top-level object
    bool inTrees = false;
    return json::parse(text, [&](int depth, json::parse_event_t ev, json& parsed) {
      if (depth == 1 && ev == json::parse_event_t::key) key = parsed.get<std::string>();
      if (depth == 1 && ev == json::parse_event_t::array_start) inTrees = key == "trees";
      if (depth == 1 && ev == json::parse_event_t::array_end) inTrees = false;
      bool element = ev == json::parse_event_t::object_end || ev == json::parse_event_t::array_end ||
                     ev == json::parse_event_t::value;
      if (!inTrees || depth != 2 || !element) return true;
      ++res_.trees;
      if (res_.violations.size() <= 50) checkTree(parsed);
      return false;
    });
  }

  void run(const json& plan) {
    if (!plan.is_object()) return fail("plan is not a JSON object");
    if (plan.value("format", "") != "grove-plan/1") return fail("\"format\" is not \"grove-plan/1\"");
    res_.collective = plan.value("collective", "");
    bool ag = res_.collective == "allgather", rs = res_.collective == "reduce-scatter",
         ar = res_.collective == "allreduce";
    if (!ag && !rs && !ar) return fail("unknown \"collective\" '" + res_.collective + "'");
    forward_ = ag || ar;
    backward_ = rs || ar;
    checkRanks(plan);
    if (!plan.contains("trees") || !plan["trees"].is_array()) return fail("\"trees\" is missing");
    if (res_.violations.size() > 50) return fail("too many violations; stopping");
    checkLinks();
    for (std::size_t r = 0; r < ranks_.size(); ++r)
      if (shareSum_[r] != Fraction(1))
        fail("shares of root " + topo_.nodes()[ranks_[r]].name + " add up to " + shareSum_[r].toString() +
             ", not 1");
    if (!res_.violations.empty()) return;
    computeAlgbw();
    if (plan.contains("algbw_exact") && plan["algbw_exact"].is_string()) {
      Fraction claimed = Fraction::parse(plan["algbw_exact"].get<std::string>());
      if (res_.algbw < claimed)
        fail("plan claims algbw " + claimed.toString() + " but its links allow only " +
             res_.algbw.toString());
    }
  }

 private:
  void fail(const std::string& why) { res_.violations.push_back(why); }

  int nodeId(const json& name, const std::string& what) {
    if (!name.is_string()) {
      fail(what + " is not a node name");
      return -1;
    }
    int id = topo_.findNode(name.get<std::string>());
    if (id < 0) fail(what + " '" + name.get<std::string>() + "' is not in the topology");
    return id;
  }

  void checkRanks(const json& plan) {
    const std::vector<int>& expected = ranks_;
    res_.ranks = static_cast<int>(expected.size());
    if (!plan.contains("ranks") || !plan["ranks"].is_array()) return fail("\"ranks\" is missing");
    const json& names = plan["ranks"];
    if (names.size() != expected.size())
      return fail("plan has " + std::to_string(names.size()) + " ranks, topology " +
                  std::to_string(expected.size()));
    for (std::size_t r = 0; r < expected.size(); ++r)
      if (!names[r].is_string() || names[r].get<std::string>() != topo_.nodes()[expected[r]].name)
        fail("rank " + std::to_string(r) + " should be " + topo_.nodes()[expected[r]].name);
  }

  bool hasLink(int a, int b) const { return bw_.count({a, b}) > 0; }

  void checkTree(const json& t) {
    std::string where = "tree " + std::to_string(res_.trees - 1);
    if (!t.is_object()) return fail(where + " is not an object");
    int root = nodeId(t.value("root", json()), where + " root");
    if (root < 0) return;
    if (rankOf_[root] < 0) return fail(where + " root '" + topo_.nodes()[root].name + "' is not a rank");
    Fraction share;
    try {
      if (t.contains("share_exact")) {
        share = Fraction::parse(t["share_exact"].get<std::string>());
        if (t.contains("share") && std::abs(t["share"].get<double>() - share.toDouble()) > 1e-9)
          fail(where + " \"share\" and \"share_exact\" disagree");
      } else {
        share = Fraction::parse(t.at("share").dump());  // decimal text of the number, read exactly
      }
    } catch (const std::exception& e) {
      return fail(where + " has no valid share: " + e.what());
    }
    if (share <= Fraction(0) || share > Fraction(1))
      return fail(where + " share " + share.toString() + " is outside (0, 1]");
    shareSum_[rankOf_[root]] = shareSum_[rankOf_[root]] + share;
    if (!t.contains("edges") || !t["edges"].is_array()) return fail(where + " has no \"edges\"");
    std::vector<char> reached(topo_.nodes().size(), 0);
    reached[root] = 1;
    std::size_t count = 1;
    Tree tree{share, res_.trees - 1, {}, {}};
    for (const json& e : t["edges"]) {
      int from = nodeId(e.value("from", json()), where + " edge source");
      int to = nodeId(e.value("to", json()), where + " edge target");
      if (from < 0 || to < 0) return;
      std::string edge = where + " edge " + topo_.nodes()[from].name + " -> " + topo_.nodes()[to].name;
      if (rankOf_[from] < 0 || rankOf_[to] < 0) return fail(edge + " does not join two ranks");
      if (!reached[from]) return fail(edge + " leaves a rank the tree has not reached yet");
      if (reached[to]) return fail(edge + " enters a rank that already has a parent (or the root)");
      reached[to] = 1;
      ++count;
      if (!e.contains("path") || !e["path"].is_array() || e["path"].size() < 2)
        return fail(edge + " has no path");
      std::size_t begin = tree.nodes.size();
      for (const json& n : e["path"]) {
        int id = nodeId(n, edge + " path node");
        if (id < 0) return;
        tree.nodes.push_back(id);
      }
      if (tree.nodes[begin] != from || tree.nodes.back() != to)
        return fail(edge + " path does not run from source to target");
      for (std::size_t i = begin + 1; i + 1 < tree.nodes.size(); ++i)
        if (topo_.isCompute(tree.nodes[i]))
          return fail(edge + " path passes through rank " + topo_.nodes()[tree.nodes[i]].name);
      tree.ends.push_back(tree.nodes.size());
    }
    if (count != ranks_.size())
      return fail(where + " reaches " + std::to_string(count) + " of " + std::to_string(ranks_.size()) +
                  " ranks");
    trees_.push_back(std::move(tree));
  }

  // Every path follows links of the topology: forward for allgather, reversed for reduce-scatter, both for
  // allreduce. Run once the collective is known.
  void checkLinks() {
    for (const Tree& t : trees_) {
      std::size_t begin = 0;
      for (std::size_t end : t.ends) {
        for (std::size_t i = begin; i + 1 < end; ++i) {
          int a = t.nodes[i], b = t.nodes[i + 1];
          std::string edge = "tree " + std::to_string(t.index) + " edge " +
                             topo_.nodes()[t.nodes[begin]].name + " -> " +
                             topo_.nodes()[t.nodes[end - 1]].name;
          if (forward_ && !hasLink(a, b)) {
            fail(edge + " path uses a missing link " + topo_.nodes()[a].name + " -> " +
                 topo_.nodes()[b].name);
            break;
          }
          if (backward_ && !hasLink(b, a)) {
            fail(edge + " reversed path uses a missing link " + topo_.nodes()[b].name + " -> " +
                 topo_.nodes()[a].name);
            break;
          }
        }
        if (res_.violations.size() > 50) return;
        begin = end;
      }
    }
  }

  // Seconds*GB/s per byte of M of one phase: each tree moves share * M / N over every link of its paths.
  // Loads are summed as integers in units of 1/D of a shard (D = lcm of the share denominators).
  Fraction phase(bool reversed) {
    Fraction::Int d = 1;
    for (const Tree& tree : trees_) d = lcm128(d, tree.share.den());
    std::map<std::pair<int, int>, Fraction::Int> load;
    for (const Tree& t : trees_) {
      Fraction::Int units = t.share.num() * (d / t.share.den());
      std::size_t begin = 0;
      for (std::size_t end : t.ends) {
        for (std::size_t i = begin; i + 1 < end; ++i) {
          int a = t.nodes[i], b = t.nodes[i + 1];
          load[reversed ? std::make_pair(b, a) : std::make_pair(a, b)] += units;
        }
        begin = end;
      }
    }
    Fraction worst(0);
    for (const auto& [link, l] : load) {
      const Rational& b = bw_.at(link);
      Fraction t = Fraction(l, d) / Fraction(b.numerator(), b.denominator());
      if (worst < t) worst = t;
    }
    return worst / Fraction(static_cast<std::int64_t>(ranks_.size()));
  }

  void computeAlgbw() {
    Fraction time(0);
    if (forward_) time = time + phase(false);
    if (backward_) time = time + phase(true);
    if (time == Fraction(0)) return fail("plan moves no data");
    res_.algbw = Fraction(1) / time;
  }

  const Topology& topo_;
  PlanCheckResult& res_;
  std::map<std::pair<int, int>, Rational> bw_;
  std::vector<int> ranks_, rankOf_;
  bool forward_ = true, backward_ = false;
  // A checked tree, compact: its paths back to back in `nodes`, path j ending before ends[j].
  struct Tree {
    Fraction share;
    int index = 0;
    std::vector<int> nodes;
    std::vector<std::size_t> ends;
  };
  std::vector<Tree> trees_;
  std::vector<Fraction> shareSum_;
};

}  // namespace

PlanCheckResult checkPlan(const std::string& planJson, const Topology& topo) {
  PlanCheckResult res;
  try {
    Checker checker(topo, res);
    json plan = checker.parse(planJson);
    checker.run(plan);
  } catch (const std::exception& e) {
    res.violations.push_back(std::string("plan could not be read: ") + e.what());
  }
  res.ok = res.violations.empty();
  return res;
}

}  // namespace grove::sched
