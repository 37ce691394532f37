/// @file greedy_grower.hpp
/// One attempt of the greedy fast path (greedy_packing.hpp) with one candidate order: trees grow one at a
/// time, Prim-style, on the physical graph. From every rank a tree reaches, a widest-path search through
/// switches offers a candidate path to each rank it does not have yet; the best candidate by the order
/// becomes the next tree edge and takes one tree unit on each link of its path. Candidates whose keys went
/// stale are re-keyed lazily; a used-up path triggers a new search from its tail, and a tree out of
/// candidates searches again from all its ranks before it gives up.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "greedy_packing.hpp"

namespace grove::sched {

/// Grows one tree per entry of `sequence` (root node ids; each rank k times), in that order, each with
/// share 1/k, within `treeCaps` (tree units per arc of g). Returns nullopt at the first tree that cannot
/// reach every rank: st.treesBuilt is then its index in `sequence`, st.stuckRoot its root. Updates
/// st.treesBuilt, searches, rescans, stuckRoot, stuckReached.
std::optional<std::vector<ScheduleTree>> growGreedyTrees(const ScaledGraph& g,
                                                         const std::vector<std::int64_t>& treeCaps,
                                                         std::int64_t k, GreedyOrder order,
                                                         const std::vector<int>& sequence, GreedyStats& st,
                                                         const ProgressFn& progress);

}  // namespace grove::sched
