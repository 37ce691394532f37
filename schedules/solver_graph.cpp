#include "solver_graph.hpp"

#include <map>
#include <numeric>

namespace grove::sched {

std::int64_t checkedMul(std::int64_t a, std::int64_t b) {
  std::int64_t r = 0;
  if (__builtin_mul_overflow(a, b, &r)) throw SolverError("integer overflow in the scaled capacities");
  return r;
}

std::int64_t mulDivFloor(std::int64_t a, std::int64_t b, std::int64_t c) {
  if (c <= 0) throw SolverError("internal error: division by a non-positive number");
  __int128 p = static_cast<__int128>(a) * b;
  __int128 q = p / c;
  if (p % c != 0 && p < 0) --q;
  if (q > INT64_MAX || q < INT64_MIN) throw SolverError("integer overflow in the scaled capacities");
  return static_cast<std::int64_t>(q);
}

ScaledGraph scaleTopology(const Topology& topo, const SolverLimits& limits) {
  if (topo.nodeCount() > limits.maxNodes)
    throw SolverError("topology has " + std::to_string(topo.nodeCount()) + " nodes; the solver limit is " +
                      std::to_string(limits.maxNodes));
  if (static_cast<int>(topo.links().size()) > limits.maxArcs)
    throw SolverError("topology has " + std::to_string(topo.links().size()) + " links; the solver limit is " +
                      std::to_string(limits.maxArcs));
  ScaledGraph g;
  g.nodes = topo.nodeCount();
  g.ranks = topo.computeNodes();
  g.isCompute.assign(static_cast<std::size_t>(g.nodes), 0);
  for (int id : g.ranks) g.isCompute[id] = 1;
  // Merge parallel links exactly, then scale by the lcm of the denominators.
  std::map<std::pair<int, int>, Rational> merged;
  for (const Link& l : topo.links()) {
    if (l.bw <= 0) throw SolverError("link with a non-positive bandwidth");
    auto [it, fresh] = merged.emplace(std::make_pair(l.src, l.dst), l.bw);
    if (!fresh) it->second += l.bw;
  }
  std::int64_t lcm = 1;
  for (auto& [key, bw] : merged) {
    std::int64_t d = bw.denominator();
    lcm = checkedMul(lcm / std::gcd(lcm, d), d);
  }
  g.scale = lcm;
  // Keep the largest scaled value far from int64 overflow: products with ranks and tree counts follow.
  constexpr std::int64_t kMaxScaled = std::int64_t{1} << 40;
  for (auto& [key, bw] : merged) {
    std::int64_t cap = checkedMul(bw.numerator(), lcm / bw.denominator());
    if (cap > kMaxScaled)
      throw SolverError("bandwidths span too large a range to scale to exact integers (limit 2^40 units)");
    g.arcs.push_back(Arc{key.first, key.second, cap});
  }
  return g;
}

}  // namespace grove::sched
