/// @file maxflow.hpp
/// A reusable max-flow network (Dinic's algorithm) with integer capacities, warm starts, flow limits and
/// cheap removal of temporary arcs. The solver runs thousands of max-flows on nearly the same graph, so
/// the structure is built once and edited in place instead of being rebuilt for every question.
#pragma once

#include <cstdint>
#include <vector>

namespace grove::sched {

/// Directed flow network on nodes 0..n-1. Every arc has a paired reverse arc (index ^ 1).
class FlowNetwork {
 public:
  /// Capacity that no finite cut in the solver can reach; used to force nodes to one side of a cut.
  static constexpr std::int64_t kInfinite = std::int64_t{1} << 60;

  explicit FlowNetwork(int nodes = 0) { reset(nodes); }
  /// Drops every arc and resizes to `nodes` nodes.
  void reset(int nodes);
  int nodeCount() const { return static_cast<int>(head_.size()); }
  /// Adds an isolated node and returns its id.
  int addNode() {
    head_.push_back(-1);
    return nodeCount() - 1;
  }
  /// Adds arc a->b with capacity `cap`; returns its index. The reverse arc is index ^ 1.
  int addArc(int a, int b, std::int64_t cap);
  /// Number of arcs (both directions counted); pass to rollback() to drop arcs added later.
  int mark() const { return static_cast<int>(to_.size()); }
  /// Removes every arc added after mark `m` (arcs must be removed newest first, which this does).
  void rollback(int m);
  /// Sets the capacity of arc `arc` (not its reverse); the flow is cleared by the next clearFlow().
  void setCapacity(int arc, std::int64_t cap) { cap_[arc] = cap; }
  std::int64_t capacity(int arc) const { return cap_[arc]; }
  std::int64_t flowOn(int arc) const { return flow_[arc]; }
  /// Sets the capacity and the flow of `arc` to zero. Its tail keeps the excess; callers do this only when
  /// the tail becomes part of the source side (see edge_splitting.cpp).
  void dropArc(int arc) {
    cap_[arc] = 0;
    flow_[arc] = 0;
    flow_[arc ^ 1] = 0;
  }
  /// Sets the flow on every arc to zero.
  void clearFlow();
  /// Augments the current flow from `s` to `t` until it reaches `limit` or is maximum; returns the total
  /// flow value (the flow already present is counted, so repeated calls warm-start). The flow must be a
  /// valid s-t flow on entry (zero or left by a previous call with the same s, t).
  std::int64_t augment(int s, int t, std::int64_t limit);
  /// After augment(): marks the nodes reachable from `s` in the residual graph (the minimal source side
  /// of a minimum cut) in `side` (1 = source side).
  void sourceSide(int s, std::vector<char>& side) const;
  /// Saves / restores the flow vector (for trying several variants from one warm start).
  void saveFlow(std::vector<std::int64_t>& out) const { out.assign(flow_.begin(), flow_.end()); }
  void restoreFlow(const std::vector<std::int64_t>& in);
  /// Current flow value into `t` minus out of `t`.
  std::int64_t valueInto(int t) const;

 private:
  bool buildLevels(int s, int t);
  std::int64_t push(int v, int t, std::int64_t limit);

  std::vector<int> head_;  // first arc of each node, -1 when none
  std::vector<int> next_;  // next arc of the same tail
  std::vector<int> to_;
  std::vector<int> from_;
  std::vector<std::int64_t> cap_;
  std::vector<std::int64_t> flow_;
  std::vector<int> level_;
  std::vector<int> iter_;
  std::vector<int> queue_;
};

}  // namespace grove::sched
