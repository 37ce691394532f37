#include "greedy_packing.hpp"

#include <algorithm>
#include <map>
#include <unordered_map>

#include "greedy_grower.hpp"

namespace grove::sched {
namespace {

constexpr int kGreedyRestarts = 4;  // per order, each with the last stuck tree moved to the front

bool sameEdges(const std::vector<TreeEdge>& a, const std::vector<TreeEdge>& b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (a[i].from != b[i].from || a[i].to != b[i].to || a[i].path != b[i].path) return false;
  return true;
}

std::uint64_t hashEdges(const std::vector<TreeEdge>& edges) {
  std::uint64_t h = 1469598103934665603ull;
  auto mix = [&h](int v) { h = (h ^ static_cast<std::uint32_t>(v)) * 1099511628211ull; };
  for (const TreeEdge& e : edges) {
    mix(e.from);
    mix(e.to);
    for (int v : e.path) mix(v);
  }
  return h;
}

// Identical trees of one root (same edges and paths) become one tree with the summed share.
std::vector<ScheduleTree> mergeIdentical(std::vector<ScheduleTree> trees) {
  std::vector<ScheduleTree> out;
  std::map<std::pair<int, std::uint64_t>, std::vector<std::size_t>> byShape;
  for (ScheduleTree& t : trees) {
    auto& same = byShape[{t.root, hashEdges(t.edges)}];
    auto match = std::find_if(same.begin(), same.end(),
                              [&](std::size_t i) { return sameEdges(out[i].edges, t.edges); });
    if (match != same.end()) {
      out[*match].share = out[*match].share + t.share;
      continue;
    }
    same.push_back(out.size());
    out.push_back(std::move(t));
  }
  return out;
}

}  // namespace

bool packingFits(const ScaledGraph& g, const std::vector<std::int64_t>& treeCaps, std::int64_t k,
                 const std::vector<ScheduleTree>& trees) {
  std::unordered_map<std::uint64_t, std::size_t> arcOf;
  auto key = [&g](int a, int b) {
    return static_cast<std::uint64_t>(a) * static_cast<std::uint64_t>(g.nodes) + b;
  };
  for (std::size_t i = 0; i < g.arcs.size(); ++i) arcOf.emplace(key(g.arcs[i].src, g.arcs[i].dst), i);
  std::vector<std::int64_t> load(g.arcs.size(), 0);
  std::vector<Fraction> shares(static_cast<std::size_t>(g.nodes), Fraction(0));
  std::vector<int> reached(static_cast<std::size_t>(g.nodes), -1);
  for (std::size_t ti = 0; ti < trees.size(); ++ti) {
    const ScheduleTree& t = trees[ti];
    // Units of this tree: share * k, a positive integer.
    Fraction units = t.share * Fraction(k);
    if (units.den() != 1 || units.num() < 1 || !g.isCompute[t.root]) return false;
    shares[t.root] = shares[t.root] + t.share;
    const int stamp = static_cast<int>(ti);
    reached[t.root] = stamp;
    std::size_t count = 1;
    for (const TreeEdge& e : t.edges) {
      if (e.path.size() < 2 || e.path.front() != e.from || e.path.back() != e.to) return false;
      if (!g.isCompute[e.from] || !g.isCompute[e.to] || reached[e.from] != stamp || reached[e.to] == stamp)
        return false;
      reached[e.to] = stamp;
      ++count;
      for (std::size_t i = 0; i + 1 < e.path.size(); ++i) {
        if (i > 0 && g.isCompute[e.path[i]]) return false;  // paths pass through switches only
        auto it = arcOf.find(key(e.path[i], e.path[i + 1]));
        if (it == arcOf.end()) return false;
        load[it->second] += static_cast<std::int64_t>(units.num());
        if (load[it->second] > treeCaps[it->second]) return false;
      }
    }
    if (count != g.ranks.size()) return false;
  }
  for (int r : g.ranks)
    if (shares[r] != Fraction(1)) return false;
  return true;
}

std::optional<std::vector<ScheduleTree>> greedyPackTrees(const ScaledGraph& g,
                                                         const std::vector<std::int64_t>& treeCaps,
                                                         std::int64_t k, GreedyStats* stats,
                                                         const ProgressFn& progress,
                                                         const std::vector<GreedyOrder>& orders) {
  GreedyStats local;
  GreedyStats& st = stats ? *stats : local;
  st = GreedyStats{};
  st.attempted = true;
  if (k < 1 || g.rankCount() < 2) return std::nullopt;
  // Unit j of every root before unit j + 1. After a stuck attempt the stuck tree moves to the front, so
  // the tree that ran out of room is grown while there is room.
  std::vector<int> first;
  for (std::int64_t unit = 0; unit < k; ++unit) first.insert(first.end(), g.ranks.begin(), g.ranks.end());
  for (GreedyOrder order : orders) {
    std::vector<int> sequence = first;
    for (int restart = 0; restart <= kGreedyRestarts; ++restart) {
      ++st.attempts;
      st.order = order;
      auto trees = growGreedyTrees(g, treeCaps, k, order, sequence, st, progress);
      if (!trees) {
        auto stuck = sequence.begin() + st.treesBuilt;
        std::rotate(sequence.begin(), stuck, stuck + 1);
        continue;
      }
      // Independent exact re-check of what the greedy accounted for; a failure here would be a bug, and
      // the caller then takes the exact method.
      if (!packingFits(g, treeCaps, k, *trees)) {
        st.verifyFailed = true;
        return std::nullopt;
      }
      if (k > 1) trees = mergeIdentical(std::move(*trees));
      st.succeeded = true;
      st.stuckRoot = -1;
      st.stuckReached = 0;
      return trees;
    }
  }
  return std::nullopt;
}

const char* greedyOrderName(GreedyOrder order) {
  switch (order) {
    case GreedyOrder::kStaticWidth:
      return "static-width";
    case GreedyOrder::kResidualShare:
      return "residual-share";
    case GreedyOrder::kBreadthFirst:
      return "breadth-first";
  }
  return "?";
}

}  // namespace grove::sched
