#include "greedy_grower.hpp"

#include <algorithm>
#include <limits>

namespace grove::sched {
namespace {

constexpr std::int64_t kWide = std::numeric_limits<std::int64_t>::max();

// A path label inside one search: the narrowest link by the order's first and second measure, hops.
struct Label {
  std::int64_t first = 0;
  std::int64_t second = 0;
  int hops = 0;
};

bool betterLabel(const Label& a, const Label& b) {
  if (a.first != b.first) return a.first > b.first;
  if (a.second != b.second) return a.second > b.second;
  return a.hops < b.hops;
}

// Order of candidate tree edges: five scores, larger is better, compared in turn. They are built from the
// path label, the tail's depth and the target's residual out-capacity (its room to pass the tree on).
struct Key {
  std::int64_t score[5] = {0, 0, 0, 0, 0};
};

Key makeKey(const Label& l, int depth, std::int64_t targetOut, GreedyOrder order) {
  const std::int64_t shallow = -depth, shortPath = -l.hops;
  switch (order) {
    case GreedyOrder::kStaticWidth:  // width, hops, depth, residual, room
      return Key{{l.first, shortPath, shallow, l.second, targetOut}};
    case GreedyOrder::kResidualShare:  // share, depth, residual, room, hops
      return Key{{l.first, shallow, l.second, targetOut, shortPath}};
    case GreedyOrder::kBreadthFirst:  // depth, residual, width, room, hops
      break;
  }
  return Key{{shallow, l.first, l.second, targetOut, shortPath}};
}

// -1, 0, 1: a worse than, equal to, better than b.
int compareKeys(const Key& a, const Key& b) {
  for (int i = 0; i < 5; ++i)
    if (a.score[i] != b.score[i]) return a.score[i] > b.score[i] ? 1 : -1;
  return 0;
}

bool betterKey(const Key& a, const Key& b) { return compareKeys(a, b) > 0; }

struct Candidate {
  Key key;
  int target = 0;
  int tail = 0;
  int pathBegin = 0;  // arcs (CSR positions) tail -> target in pool_
  int pathLen = 0;
  std::int64_t serial = 0;
};

// Heap order: the top is the best key; ties go to the lower target id, then the earlier candidate.
bool lowerPriority(const Candidate& a, const Candidate& b) {
  if (int c = compareKeys(a.key, b.key); c != 0) return c < 0;
  if (a.target != b.target) return a.target > b.target;
  return a.serial > b.serial;
}

class GreedyPacker {
 public:
  GreedyPacker(const ScaledGraph& g, const std::vector<std::int64_t>& caps, std::int64_t k, GreedyOrder order,
               GreedyStats& stats)
      : g_(g), n_(g.nodes), order_(order), stats_(stats) {
    // Arcs in CSR order by tail; zero-capacity arcs are left out.
    first_.assign(static_cast<std::size_t>(n_) + 1, 0);
    for (std::size_t i = 0; i < g.arcs.size(); ++i)
      if (caps[i] > 0) ++first_[g.arcs[i].src + 1];
    for (int v = 0; v < n_; ++v) first_[v + 1] += first_[v];
    std::vector<int> fill(first_.begin(), first_.end() - 1);
    head_.resize(static_cast<std::size_t>(first_[n_]));
    tail_.resize(head_.size());
    width_.resize(head_.size());
    residual_.resize(head_.size());
    for (std::size_t i = 0; i < g.arcs.size(); ++i) {
      if (caps[i] <= 0) continue;
      int at = fill[g.arcs[i].src]++;
      head_[at] = g.arcs[i].dst;
      tail_[at] = g.arcs[i].src;
      width_[at] = caps[i];
      residual_[at] = caps[i];
    }
    auto sized = [this](auto& v, auto init) { v.assign(static_cast<std::size_t>(n_), init); };
    sized(reached_, 0);
    sized(depth_, 0);
    sized(bestEpoch_, 0);
    sized(bestKey_, Key{});
    sized(bestSerial_, std::int64_t{0});
    sized(seen_, 0);
    sized(settled_, 0);
    sized(label_, Label{});
    sized(pred_, -1);
    sized(outResidual_, std::int64_t{0});
    sized(unstarted_, std::int64_t{0});
    for (int a = 0; a < first_[n_]; ++a) outResidual_[tail_[a]] += residual_[a];
    arcAt_.resize(head_.size());
    for (int a = 0; a < first_[n_]; ++a) arcAt_[a] = a;
    usableEnd_.assign(first_.begin() + 1, first_.end());
    for (int r : g.ranks) unstarted_[r] = k;
    // Dead-end pruning data: per switch its arcs into ranks and its only switch successor (if one).
    sized(rankOuts_, 0);
    sized(soleSwitchOut_, kNoSwitchOut);
    rankIn_.resize(static_cast<std::size_t>(n_));
    for (int a = 0; a < first_[n_]; ++a) {
      int v = tail_[a], w = head_[a];
      if (g.isCompute[v]) continue;
      if (g.isCompute[w]) {
        ++rankOuts_[v];
        rankIn_[w].push_back(v);
      } else {
        soleSwitchOut_[v] = soleSwitchOut_[v] == kNoSwitchOut ? w : kManySwitchOuts;
      }
    }
  }

  // Grows one tree from `root`; false when it cannot reach every rank. On success the tree's units are
  // taken from the residual capacities and its edges are in `edges`.
  bool growTree(int root, std::vector<TreeEdge>& edges) {
    ++tree_;
    ++epoch_;
    --unstarted_[root];
    liveOuts_ = rankOuts_;
    for (int w : rankIn_[root]) --liveOuts_[w];
    liveEnd_ = usableEnd_;
    edges.clear();
    heap_.clear();
    pool_.clear();
    grown_.assign(1, root);
    reached_[root] = tree_;
    depth_[root] = 0;
    searchFrom(root);
    while (grown_.size() < g_.ranks.size()) {
      if (heap_.empty()) {
        // The suppressed alternatives of exhausted paths may still exist: search again from every rank.
        ++stats_.rescans;
        ++epoch_;
        for (std::size_t i = 0; i < grown_.size(); ++i) searchFrom(grown_[i]);
        if (heap_.empty()) return false;
      }
      std::pop_heap(heap_.begin(), heap_.end(), lowerPriority);
      Candidate c = heap_.back();
      heap_.pop_back();
      if (reached_[c.target] == tree_) continue;
      std::int64_t room = kWide;
      Label now{kWide, kWide, c.pathLen};
      for (int i = 0; i < c.pathLen; ++i) {
        int a = pool_[c.pathBegin + i];
        room = std::min(room, residual_[a]);
        now = extend(now, a);
      }
      bool isBest = bestEpoch_[c.target] == epoch_ && bestSerial_[c.target] == c.serial;
      if (!canLeave(c.tail)) {  // the tail's last units are reserved for its own trees
        if (isBest) bestEpoch_[c.target] = 0;
        continue;
      }
      if (room < 1) {
        // Used up by earlier edges of this tree: look for another path from the same tail.
        if (isBest) {
          bestEpoch_[c.target] = 0;
          searchFrom(c.tail);
        }
        continue;
      }
      Key current = makeKey(now, depth_[c.tail], outResidual_[c.target], order_);
      if (betterKey(c.key, current)) {  // stale key: requeue with the current residuals
        c.key = current;
        if (isBest) bestKey_[c.target] = c.key;
        heap_.push_back(c);
        std::push_heap(heap_.begin(), heap_.end(), lowerPriority);
        continue;
      }
      attach(c, edges);
      searchFrom(c.target);
    }
    return true;
  }

  // Ranks reached by the tree grown last.
  int reachedCount() const { return static_cast<int>(grown_.size()); }

 private:
  // Every tree still to start at u needs one unit out of u (the cut around u alone), so other trees may
  // only take u's out-capacity beyond that reserve.
  bool canLeave(int u) const { return outResidual_[u] > unstarted_[u]; }

  // The label of a path extended by arc a (hops unchanged).
  Label extend(const Label& l, int a) const {
    std::int64_t res = residual_[a];
    switch (order_) {
      case GreedyOrder::kStaticWidth:
        return Label{std::min(l.first, width_[a]), std::min(l.second, res), l.hops};
      case GreedyOrder::kResidualShare:  // residual as a fraction of capacity, 20 bits (only an order)
        return Label{std::min(l.first, (res << 20) / width_[a]), std::min(l.second, res), l.hops};
      case GreedyOrder::kBreadthFirst:
        break;
    }
    return Label{std::min(l.first, res), std::min(l.second, width_[a]), l.hops};
  }

  void attach(const Candidate& c, std::vector<TreeEdge>& edges) {
    TreeEdge e;
    e.from = c.tail;
    e.to = c.target;
    e.path.reserve(static_cast<std::size_t>(c.pathLen) + 1);
    e.path.push_back(c.tail);
    for (int i = 0; i < c.pathLen; ++i) {
      int a = pool_[c.pathBegin + i];
      --residual_[a];
      e.path.push_back(head_[a]);
    }
    edges.push_back(std::move(e));
    --outResidual_[c.tail];
    for (int w : rankIn_[c.target]) --liveOuts_[w];
    reached_[c.target] = tree_;
    depth_[c.target] = depth_[c.tail] + 1;
    grown_.push_back(c.target);
  }

  // Widest-path search from rank u through switches; every unreached rank it meets becomes a candidate.
  void searchFrom(int u) {
    if (!canLeave(u)) return;
    ++stats_.searches;
    ++search_;
    seen_[u] = search_;
    label_[u] = Label{kWide, kWide, 0};
    pred_[u] = -1;
    queue_.clear();
    queue_.emplace_back(label_[u], u);
    targets_.clear();
    auto worse = [](const std::pair<Label, int>& a, const std::pair<Label, int>& b) {
      return betterLabel(b.first, a.first);
    };
    while (!queue_.empty()) {
      std::pop_heap(queue_.begin(), queue_.end(), worse);
      auto [lab, v] = queue_.back();
      queue_.pop_back();
      if (settled_[v] == search_) continue;
      settled_[v] = search_;
      for (int p = first_[v]; p < liveEnd_[v];) {
        int a = arcAt_[p], w = head_[a];
        // Dead for the rest of this tree: into a reached rank, or into a switch with no unreached rank
        // behind it and no way on but back. Dead for good: no residual capacity. Such arcs move behind
        // the live part of v's list, so later searches do not scan them again.
        bool exhausted = residual_[a] < 1;
        bool dead = exhausted || (g_.isCompute[w] ? reached_[w] == tree_
                                                  : liveOuts_[w] == 0 && (soleSwitchOut_[w] == kNoSwitchOut ||
                                                                          soleSwitchOut_[w] == v));
        if (dead) {
          int last = --liveEnd_[v];
          std::swap(arcAt_[p], arcAt_[last]);
          if (exhausted) std::swap(arcAt_[last], arcAt_[--usableEnd_[v]]);
          continue;
        }
        ++p;
        if (settled_[w] == search_) continue;
        Label next = extend(lab, a);
        ++next.hops;
        if (seen_[w] == search_ && !betterLabel(next, label_[w])) continue;
        if (seen_[w] != search_ && g_.isCompute[w]) targets_.push_back(w);
        seen_[w] = search_;
        label_[w] = next;
        pred_[w] = a;
        // Ranks end paths: they only collect their best label (from settled nodes, so final at the end).
        if (g_.isCompute[w]) continue;
        queue_.emplace_back(next, w);
        std::push_heap(queue_.begin(), queue_.end(), worse);
      }
    }
    for (int t : targets_) offer(t, u);
  }

  void offer(int t, int u) {
    const Label& lab = label_[t];
    Key key = makeKey(lab, depth_[u], outResidual_[t], order_);
    if (bestEpoch_[t] == epoch_ && !betterKey(key, bestKey_[t])) return;
    Candidate c;
    c.key = key;
    c.target = t;
    c.tail = u;
    c.pathBegin = static_cast<int>(pool_.size());
    c.pathLen = lab.hops;
    c.serial = ++serial_;
    pool_.resize(pool_.size() + static_cast<std::size_t>(lab.hops));
    int at = static_cast<int>(pool_.size());
    for (int v = t; v != u; v = tail_[pred_[v]]) pool_[--at] = pred_[v];
    bestEpoch_[t] = epoch_;
    bestKey_[t] = key;
    bestSerial_[t] = c.serial;
    heap_.push_back(c);
    std::push_heap(heap_.begin(), heap_.end(), lowerPriority);
  }

  const ScaledGraph& g_;
  int n_;
  const GreedyOrder order_;
  GreedyStats& stats_;
  std::vector<int> first_, head_, tail_;
  std::vector<std::int64_t> width_, residual_;
  // Node v's out-arcs are arcAt_[first_[v] .. first_[v + 1]): the live ones up to liveEnd_[v], then the
  // ones dead for this tree up to usableEnd_[v], then the exhausted ones.
  std::vector<int> arcAt_, liveEnd_, usableEnd_;
  std::vector<std::int64_t> outResidual_;  // per node: residual capacity of its out-arcs
  std::vector<std::int64_t> unstarted_;    // per rank: its trees not yet started
  static constexpr int kNoSwitchOut = -1, kManySwitchOuts = -2;
  std::vector<int> rankOuts_, soleSwitchOut_;  // per switch: arcs into ranks; its one switch successor
  std::vector<std::vector<int>> rankIn_;       // per rank: switches with an arc into it
  std::vector<int> liveOuts_;                  // per switch: arcs into ranks the tree has not reached
  // Per tree.
  int tree_ = 0;
  int epoch_ = 0;  // a new epoch forgets which candidate was best for each target
  std::vector<int> reached_, depth_, grown_;
  std::vector<int> bestEpoch_;
  std::vector<Key> bestKey_;
  std::vector<std::int64_t> bestSerial_;
  std::int64_t serial_ = 0;
  std::vector<Candidate> heap_;
  std::vector<int> pool_;
  // Per search.
  int search_ = 0;
  std::vector<int> seen_, settled_, pred_;
  std::vector<Label> label_;
  std::vector<std::pair<Label, int>> queue_;
  std::vector<int> targets_;  // unreached ranks the search labelled
};

}  // namespace

std::optional<std::vector<ScheduleTree>> growGreedyTrees(const ScaledGraph& g,
                                                         const std::vector<std::int64_t>& treeCaps,
                                                         std::int64_t k, GreedyOrder order,
                                                         const std::vector<int>& sequence, GreedyStats& st,
                                                         const ProgressFn& progress) {
  GreedyPacker packer(g, treeCaps, k, order, st);
  std::vector<ScheduleTree> trees;
  const double total = static_cast<double>(sequence.size());
  st.treesBuilt = 0;
  for (int root : sequence) {
    if (progress && st.treesBuilt % 16 == 0)
      progress("greedy packing", static_cast<double>(st.treesBuilt) / total);
    std::vector<TreeEdge> edges;
    if (!packer.growTree(root, edges)) {
      st.stuckRoot = root;
      st.stuckReached = packer.reachedCount();
      return std::nullopt;
    }
    ++st.treesBuilt;
    trees.push_back(ScheduleTree{root, Fraction(1, k), std::move(edges)});
  }
  return trees;
}

}  // namespace grove::sched
