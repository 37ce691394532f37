/// @file greedy_packing.hpp
/// The solver's fast path: packs k spanning out-trees per rank directly on the physical graph (switches
/// included) by greedy growth with capacity accounting, without any max-flow. Each logical tree edge is a
/// path rank -> switches... -> rank and takes one tree unit on every link of the path. When every tree
/// spans all ranks within the tree capacities, the packing reaches the tree rate the capacities were
/// derived from (the proven optimum, or the best rate for a fixed k), so it is as good as the exact
/// packing. When the greedy gets stuck it reports failure and the caller falls back to the exact method.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "schedule.hpp"
#include "solver_graph.hpp"
#include "solver_progress.hpp"

namespace grove::sched {

/// Which candidate tree edge the greedy takes next. Every order is exact in what it accepts (integer
/// capacity accounting); they differ only in which packings they find.
enum class GreedyOrder {
  /// Largest static tree capacity on the path's narrowest link, then shallowest tail, then largest
  /// residual, then fewest hops: wide links (inside a box) before scarce ones (the network), and a scarce
  /// link from the root before one from deeper in the tree. Finds the rail-optimised "star" packing.
  kStaticWidth,
  /// Largest residual share (residual / capacity) on the narrowest link, then shallowest tail: spreads
  /// load over links of different sizes (direct links of 1 to 4 lanes, as in MI250 boxes).
  kResidualShare,
  /// Shallowest tail first, then largest residual: short, bushy trees.
  kBreadthFirst,
};

/// What the greedy packer did.
struct GreedyStats {
  bool attempted = false;
  bool succeeded = false;
  int attempts = 0;  ///< greedy runs: per order, the first run plus restarts with the stuck tree first
  GreedyOrder order = GreedyOrder::kStaticWidth;  ///< the order that succeeded (or was tried last)
  std::int64_t treesBuilt = 0;    ///< trees completed in the last run (the stuck tree's index when stuck)
  std::int64_t searches = 0;      ///< path searches over all attempts
  std::int64_t rescans = 0;       ///< full re-searches when a tree ran out of candidates
  bool verifyFailed = false;      ///< a completed packing failed packingFits() (a bug; the exact path ran)
  int stuckRoot = -1;             ///< node id of the root whose tree the last attempt could not complete
  std::int64_t stuckReached = 0;  ///< ranks that tree had reached
};

/// The orders greedyPackTrees() tries by default, in this order.
inline const std::vector<GreedyOrder>& defaultGreedyOrders() {
  static const std::vector<GreedyOrder> kOrders{GreedyOrder::kStaticWidth, GreedyOrder::kResidualShare,
                                                GreedyOrder::kBreadthFirst};
  return kOrders;
}

/// Tries to pack `k` trees per rank into `g` where arc i may carry `treeCaps[i]` tree units. Trees grow
/// one at a time (unit j of every root before unit j + 1), Prim-style, taking candidate paths from a
/// reached rank through switches to an unreached rank in the given order; a rank's out-capacity is never
/// taken below what its own unstarted trees need. Each of `orders` is tried from scratch until one
/// completes every tree; after a stuck run the same order runs again (up to 4 times) with the stuck tree
/// moved to the front of the sequence. Returns the trees (share 1/k each, identical trees of one root merged)
/// or nullopt. Never returns an over-subscribed packing.
std::optional<std::vector<ScheduleTree>> greedyPackTrees(
    const ScaledGraph& g, const std::vector<std::int64_t>& treeCaps, std::int64_t k,
    GreedyStats* stats = nullptr, const ProgressFn& progress = {},
    const std::vector<GreedyOrder>& orders = defaultGreedyOrders());

/// Exact check of a packing: every tree's share times k is a positive integer (its tree units), every tree
/// spans all ranks from its root with edges parent-first along paths of existing arcs through switches
/// only, no arc carries more units than `treeCaps`, and the shares of every root add up to 1.
bool packingFits(const ScaledGraph& g, const std::vector<std::int64_t>& treeCaps, std::int64_t k,
                 const std::vector<ScheduleTree>& trees);

/// "static-width", "residual-share" or "breadth-first".
const char* greedyOrderName(GreedyOrder order);

}  // namespace grove::sched
