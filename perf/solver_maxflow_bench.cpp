// Compares the solver's Dinic (FlowNetwork) with Boost.Graph's push-relabel and Boykov-Kolmogorov on the
// rooted max-flows of the optimum test: super-source -> every rank, one flow per rank.
// Not part of the CMake build (perf/CMakeLists.txt belongs to the perf harness); build by hand:
//   g++ -O2 -std=c++20 -I. perf/solver_maxflow_bench.cpp build/release/lib/libgrove_schedules.a \
//       -o /tmp/solver_maxflow_bench && /tmp/solver_maxflow_bench TOPOLOGY.dot
#include <boost/graph/adjacency_list.hpp>
#include <boost/graph/boykov_kolmogorov_max_flow.hpp>
#include <boost/graph/push_relabel_max_flow.hpp>
#include <chrono>
#include <cstdio>
#include "schedules/dot_io.hpp"
#include "schedules/maxflow.hpp"
#include "schedules/solver_graph.hpp"
using namespace grove::sched;
using Traits = boost::adjacency_list_traits<boost::vecS, boost::vecS, boost::directedS>;
using G = boost::adjacency_list<
    boost::vecS, boost::vecS, boost::directedS,
    boost::property<boost::vertex_index_t, long,
                    boost::property<boost::vertex_color_t, boost::default_color_type,
                                    boost::property<boost::vertex_distance_t, long,
                                                    boost::property<boost::vertex_predecessor_t,
                                                                    Traits::edge_descriptor>>>>,
    boost::property<boost::edge_capacity_t, long,
                    boost::property<boost::edge_residual_capacity_t, long,
                                    boost::property<boost::edge_reverse_t, Traits::edge_descriptor>>>>;
int main(int argc, char** argv) {
  ScaledGraph g = scaleTopology(readDotFile(argv[1]));
  int n = g.nodes, s = n;
  long k = 1;
  auto t0 = std::chrono::steady_clock::now();
  FlowNetwork net(n + 1);
  for (auto& a : g.arcs) net.addArc(a.src, a.dst, a.cap);
  for (int r : g.ranks) net.addArc(s, r, k * 1000);
  long sum = 0;
  for (int r : g.ranks) {
    net.clearFlow();
    sum += net.augment(s, r, INT64_MAX / 4);
  }
  double dinic = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  G bg(n + 1);
  auto cap = get(boost::edge_capacity, bg);
  auto rev = get(boost::edge_reverse, bg);
  auto add = [&](int a, int b, long c) {
    auto e1 = add_edge(a, b, bg).first, e2 = add_edge(b, a, bg).first;
    cap[e1] = c;
    cap[e2] = 0;
    rev[e1] = e2;
    rev[e2] = e1;
  };
  for (auto& a : g.arcs) add(a.src, a.dst, a.cap);
  for (int r : g.ranks) add(s, r, k * 1000);
  t0 = std::chrono::steady_clock::now();
  long sum2 = 0;
  for (int r : g.ranks) sum2 += boost::push_relabel_max_flow(bg, s, r);
  double pr = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  t0 = std::chrono::steady_clock::now();
  long sum3 = 0;
  for (int r : g.ranks) sum3 += boost::boykov_kolmogorov_max_flow(bg, s, r);
  double bk = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::printf(
      "%s: %d ranks, %zu arcs: Dinic %.3f s, Boost push-relabel %.3f s, Boost Boykov-Kolmogorov %.3f s "
      "(flows %ld %ld %ld)\n",
      argv[1], g.rankCount(), g.arcs.size(), dinic, pr, bk, sum, sum2, sum3);
}
