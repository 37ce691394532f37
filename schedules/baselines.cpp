#include "baselines.hpp"

#include <deque>
#include <map>

namespace grove::sched {
namespace {

// Shortest route a -> b (in links) whose inner nodes are switches; both directions of every link must
// exist when the collective runs the trees both ways.
class Router {
 public:
  Router(const Topology& topo, Collective c) : topo_(topo) {
    adj_.resize(topo.nodes().size());
    std::map<std::pair<int, int>, bool> links;
    for (const Link& l : topo.links()) links[{l.src, l.dst}] = true;
    for (const auto& [key, unused] : links) {
      if (c == Collective::kReduceScatter) {
        adj_[key.second].push_back(key.first);  // the path follows reversed links
      } else if (c == Collective::kAllGather || links.count({key.second, key.first})) {
        adj_[key.first].push_back(key.second);
      }
    }
  }

  // Path in the direction data flows for allgather (a to b); for reduce-scatter the stored path is the
  // tree edge's path, whose reversed links carry the data.
  /// Empty when b cannot be reached from a through switches only.
  std::vector<int> tryRoute(int a, int b) {
    auto key = std::make_pair(a, b);
    if (auto it = cache_.find(key); it != cache_.end()) return it->second;
    std::vector<int> prev(topo_.nodes().size(), -2);
    std::deque<int> q{a};
    prev[a] = -1;
    while (!q.empty() && prev[b] == -2) {
      int v = q.front();
      q.pop_front();
      if (v != a && topo_.isCompute(v)) continue;  // ranks do not forward inside one hop
      for (int w : adj_[v])
        if (prev[w] == -2) prev[w] = v, q.push_back(w);
    }
    std::vector<int> path;
    if (prev[b] == -2) return path;
    for (int v = b; v != -1; v = prev[v]) path.insert(path.begin(), v);
    cache_.emplace(key, path);
    return path;
  }

  /// Builds a tree from `wanted` (child, preferred parent) pairs in order: a child hangs under its
  /// preferred parent when that one is reached and has a switch-only route, else under the first reached
  /// rank with one (a hop between two rails may need another parent); children nobody can reach yet wait
  /// for a later pass. Throws TopologyError when some rank stays unreachable.
  void build(ScheduleTree& t, const std::vector<std::pair<int, int>>& wanted) {
    std::vector<int> reached{t.root};
    std::vector<char> in(topo_.nodes().size(), 0);
    in[t.root] = 1;
    std::vector<std::pair<int, int>> todo = wanted;
    while (!todo.empty()) {
      std::vector<std::pair<int, int>> later;
      for (auto [b, preferred] : todo) {
        std::vector<int> best = in[preferred] ? tryRoute(preferred, b) : std::vector<int>{};
        for (std::size_t i = 0; i < reached.size() && best.empty(); ++i) best = tryRoute(reached[i], b);
        if (best.empty()) {
          later.emplace_back(b, preferred);
          continue;
        }
        t.edges.push_back(TreeEdge{best.front(), b, best});
        reached.push_back(b);
        in[b] = 1;
      }
      if (later.size() == todo.size())
        throw TopologyError("no route through switches to " + topo_.nodes()[later[0].first].name);
      todo = std::move(later);
    }
  }

 private:
  const Topology& topo_;
  std::vector<std::vector<int>> adj_;
  std::map<std::pair<int, int>, std::vector<int>> cache_;
};

}  // namespace

Schedule ringSchedule(const Topology& topo, Collective collective) {
  Schedule s;
  s.collective = collective;
  s.algorithm = "ring";
  s.ranks = topo.computeNodes();
  s.treesPerRoot = 1;
  Router router(topo, collective);
  const int n = static_cast<int>(s.ranks.size());
  for (int r = 0; r < n; ++r) {
    ScheduleTree t;
    t.root = s.ranks[r];
    t.share = Fraction(1);
    std::vector<std::pair<int, int>> wanted;
    for (int i = 0; i + 1 < n; ++i) wanted.emplace_back(s.ranks[(r + i + 1) % n], s.ranks[(r + i) % n]);
    router.build(t, wanted);
    s.trees.push_back(std::move(t));
  }
  return s;
}

Schedule doubleBinaryTreeSchedule(const Topology& topo, Collective collective) {
  Schedule s;
  s.collective = collective;
  s.algorithm = "double-binary-tree";
  s.ranks = topo.computeNodes();
  s.treesPerRoot = 2;
  Router router(topo, collective);
  const int n = static_cast<int>(s.ranks.size());
  for (int r = 0; r < n; ++r)
    for (int dir : {1, -1}) {
      ScheduleTree t;
      t.root = s.ranks[r];
      t.share = Fraction(1, 2);
      // Heap order over the ranks starting at the root: position i hangs under position (i - 1) / 2.
      auto at = [&](int i) { return s.ranks[((r + dir * i) % n + n) % n]; };
      std::vector<std::pair<int, int>> wanted;
      for (int i = 1; i < n; ++i) wanted.emplace_back(at(i), at((i - 1) / 2));
      router.build(t, wanted);
      s.trees.push_back(std::move(t));
    }
  return s;
}

}  // namespace grove::sched
