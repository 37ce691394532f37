// Generators of regular fabrics: ring, 2D torus and two-level fat tree.
#include <string>

#include "schedules/generators_internal.hpp"

namespace grove::sched::gen {
namespace {

Rational orDefault(const Rational& bw, std::int64_t fallback) { return bw.numerator() == 0 ? Rational(fallback) : bw; }

// Links node i to its successor in a cycle of n. Two nodes share one link (not two parallel ones) and a
// single node has none, so the degenerate sizes stay simple graphs.
template <class Id>
void cycle(Topology& t, int n, Rational bw, Id id) {
  for (int i = 0; i < n; ++i) {
    int next = (i + 1) % n;
    if (next == i || (n == 2 && i == 1)) continue;
    t.addBidirectional(id(i), id(next), bw);
  }
}

void checkTotal(const char* what, long long count) {
  if (count > 65536) throw TopologyError(concat(what, " would have ", count, " nodes; at most 65536"));
}

}  // namespace

Topology ring(const GeneratorOptions& opt) {
  Topology t;
  t.name = concat("ring", opt.size);
  std::vector<int> ids;
  for (int i = 0; i < opt.size; ++i) ids.push_back(t.addNode(concat("r", i), NodeKind::kCompute));
  cycle(t, opt.size, orDefault(opt.bw, 100), [&](int i) { return ids[i]; });
  return t;
}

Topology torus2d(const GeneratorOptions& opt) {
  checkTotal("torus2d", 1LL * opt.rows * opt.cols);
  Topology t;
  t.name = concat("torus", opt.rows, "x", opt.cols);
  Rational bw = orDefault(opt.bw, 100);
  std::vector<std::vector<int>> id(opt.rows, std::vector<int>(opt.cols));
  for (int r = 0; r < opt.rows; ++r)
    for (int c = 0; c < opt.cols; ++c) id[r][c] = t.addNode(concat("t", r, "_", c), NodeKind::kCompute);
  for (int r = 0; r < opt.rows; ++r) cycle(t, opt.cols, bw, [&](int c) { return id[r][c]; });
  for (int c = 0; c < opt.cols; ++c) cycle(t, opt.rows, bw, [&](int r) { return id[r][c]; });
  return t;
}

// Each leaf offers hostsPerLeaf x bw to its hosts and hostsPerLeaf x bw / oversubscription towards the
// spines, split evenly over one link per spine.
Topology fatTree(const GeneratorOptions& opt) {
  checkTotal("fat-tree", 1LL * opt.leaves * (opt.hostsPerLeaf + 1) + opt.spines);
  Topology t;
  t.name = concat("fattree_l", opt.leaves, "_h", opt.hostsPerLeaf, "_s", opt.spines);
  Rational hostBw = orDefault(opt.bw, 100);
  std::vector<int> leaf;
  for (int l = 0; l < opt.leaves; ++l) {
    leaf.push_back(t.addNode(concat("leaf", l), NodeKind::kSwitch));
    for (int h = 0; h < opt.hostsPerLeaf; ++h) {
      int host = t.addNode(concat("host", l * opt.hostsPerLeaf + h), NodeKind::kCompute);
      t.addBidirectional(host, leaf.back(), hostBw);
    }
  }
  if (opt.spines == 0) return t;
  Rational upBw = hostBw * opt.hostsPerLeaf / (opt.oversubscription * opt.spines);
  for (int s = 0; s < opt.spines; ++s) {
    int spine = t.addNode(concat("spine", s), NodeKind::kSwitch);
    for (int l : leaf) t.addBidirectional(l, spine, upBw);
  }
  return t;
}

}  // namespace grove::sched::gen
