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
  std::vector<int> route(int a, int b) {
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
    if (prev[b] == -2)
      throw TopologyError("no route through switches from " + topo_.nodes()[a].name + " to " +
                          topo_.nodes()[b].name);
    std::vector<int> path;
    for (int v = b; v != -1; v = prev[v]) path.insert(path.begin(), v);
    cache_.emplace(key, path);
    return path;
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
    for (int i = 0; i + 1 < n; ++i) {
      int a = s.ranks[(r + i) % n], b = s.ranks[(r + i + 1) % n];
      t.edges.push_back(TreeEdge{a, b, router.route(a, b)});
    }
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
      for (int i = 1; i < n; ++i) {
        int a = at((i - 1) / 2), b = at(i);
        t.edges.push_back(TreeEdge{a, b, router.route(a, b)});
      }
      s.trees.push_back(std::move(t));
    }
  return s;
}

}  // namespace grove::sched
