// Structural checks before solving: ranks, bandwidths, Eulerian switches, strong connectivity of ranks.
#include "schedules/validate.hpp"

#include <deque>
#include <vector>

#include "schedules/dot_io.hpp"

namespace grove::sched {
namespace {

// Sums of bandwidths in checked arithmetic: boost::rational does not detect int64 overflow, and a
// pathological input must give an error, not undefined behaviour.
Rational checkedAdd(const Rational& a, const Rational& b) {
  std::int64_t lcmDen = 0, left = 0, right = 0, num = 0;
  std::int64_t g = boost::integer::gcd(a.denominator(), b.denominator());
  if (__builtin_mul_overflow(a.denominator() / g, b.denominator(), &lcmDen) ||
      __builtin_mul_overflow(a.numerator(), lcmDen / a.denominator(), &left) ||
      __builtin_mul_overflow(b.numerator(), lcmDen / b.denominator(), &right) ||
      __builtin_add_overflow(left, right, &num))
    throw TopologyError("bandwidth sums overflow 64-bit fractions; use fewer distinct fractional bandwidths");
  return Rational(num, lcmDen);
}

// Nodes reachable from `start` following links forwards (or backwards when `reverse`).
std::vector<bool> reachable(const Topology& topo, int start, bool reverse) {
  std::vector<std::vector<int>> adj(topo.nodeCount());
  for (const Link& l : topo.links()) adj[reverse ? l.dst : l.src].push_back(reverse ? l.src : l.dst);
  std::vector<bool> seen(topo.nodeCount(), false);
  std::deque<int> queue{start};
  seen[start] = true;
  while (!queue.empty()) {
    int u = queue.front();
    queue.pop_front();
    for (int v : adj[u])
      if (!seen[v]) seen[v] = true, queue.push_back(v);
  }
  return seen;
}

std::string rankLabel(const Topology& topo, int id) {
  return "rank " + std::to_string(topo.nodes()[id].rank) + " ('" + topo.nodes()[id].name + "')";
}

}  // namespace

void validateTopology(const Topology& topo) {
  std::vector<int> ranks = topo.computeNodes();
  if (ranks.empty()) throw TopologyError("the topology has no compute node: at least one rank is needed");
  for (std::size_t r = 0; r < ranks.size(); ++r)
    if (topo.nodes()[ranks[r]].rank != static_cast<int>(r))
      throw TopologyError("ranks must be numbered 0.." + std::to_string(ranks.size() - 1) +
                          " without gaps; '" + topo.nodes()[ranks[r]].name + "' has rank " +
                          std::to_string(topo.nodes()[ranks[r]].rank));

  std::vector<Rational> in(topo.nodeCount()), out(topo.nodeCount());
  for (const Link& l : topo.links()) {
    if (l.bw <= 0)
      throw TopologyError("link " + topo.nodes()[l.src].name + " -> " + topo.nodes()[l.dst].name +
                          " has non-positive bandwidth " + formatRational(l.bw));
    out[l.src] = checkedAdd(out[l.src], l.bw);
    in[l.dst] = checkedAdd(in[l.dst], l.bw);
  }
  for (int id = 0; id < topo.nodeCount(); ++id) {
    if (topo.isCompute(id) || in[id] == out[id]) continue;
    throw TopologyError("switch '" + topo.nodes()[id].name + "' receives " + formatRational(in[id]) +
                        " GB/s in total but sends " + formatRational(out[id]) +
                        " GB/s; the solver removes switches by edge splitting, which needs every switch to "
                        "forward exactly what it receives (an Eulerian switch): make its links symmetric");
  }

  // Every rank reaches rank 0 and rank 0 reaches every rank <=> all ranks reach each other.
  auto from0 = reachable(topo, ranks[0], false);
  auto to0 = reachable(topo, ranks[0], true);
  for (int id : ranks) {
    if (!from0[id])
      throw TopologyError(rankLabel(topo, ranks[0]) + " cannot reach " + rankLabel(topo, id) +
                          " along the links; every rank must reach every other");
    if (!to0[id])
      throw TopologyError(rankLabel(topo, id) + " cannot reach " + rankLabel(topo, ranks[0]) +
                          " along the links; every rank must reach every other");
  }
}

}  // namespace grove::sched
