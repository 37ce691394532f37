// Random small topologies for the solver tests: ranks and switches joined by symmetric links (so every
// switch is Eulerian), connected by a random spanning structure plus extra links.
#pragma once

#include <random>
#include <string>

#include "schedules/topology.hpp"

namespace grove::sched::testing {

/// tests/schedules/data/: the shared example topologies, copied next to these tests.
inline std::string testDataDir() {
  std::string f = __FILE__;
  f.resize(f.find_last_of('/') + 1);
  return f + "data/";
}

inline Topology randomTopology(std::mt19937& rng, int maxNodes = 12, bool symmetric = true) {
  std::uniform_int_distribution<int> nodesDist(3, maxNodes);
  int n = nodesDist(rng);
  int switches = std::uniform_int_distribution<int>(0, n / 3)(rng);
  if (!symmetric) switches = 0;  // directed links would leave switches unbalanced
  Topology t;
  t.name = "random";
  for (int i = 0; i < n; ++i) {
    bool sw = i >= n - switches;
    std::string name(sw ? "s" : "g");
    name.append(std::to_string(i));
    t.addNode(name, sw ? NodeKind::kSwitch : NodeKind::kCompute);
  }
  t.finalizeRanks();
  const Rational bws[] = {Rational(10),  Rational(25, 2), Rational(25), Rational(50),
                          Rational(100), Rational(300),   Rational(7),  Rational(1, 3)};
  auto bw = [&] { return bws[std::uniform_int_distribution<int>(0, 7)(rng)]; };
  auto link = [&](int a, int b) {
    if (symmetric)
      t.addBidirectional(a, b, bw());
    else
      t.addLink(a, b, bw());
  };
  // Spanning tree (random parent) keeps it connected; directed graphs get a Hamiltonian cycle instead.
  if (symmetric) {
    for (int i = 1; i < n; ++i) link(i, std::uniform_int_distribution<int>(0, i - 1)(rng));
  } else {
    for (int i = 0; i < n; ++i) link(i, (i + 1) % n);
  }
  int extra = std::uniform_int_distribution<int>(0, n)(rng);
  for (int e = 0; e < extra; ++e) {
    int a = std::uniform_int_distribution<int>(0, n - 1)(rng),
        b = std::uniform_int_distribution<int>(0, n - 1)(rng);
    if (a != b) link(a, b);
  }
  return t;
}

}  // namespace grove::sched::testing
