#include "arborescence_packing.hpp"

#include <deque>

#include "maxflow.hpp"

namespace grove::sched {
namespace {

struct Group {
  int root = 0;  // rank index
  std::int64_t count = 0;
  std::vector<int> arcs;     // logical arc indices
  std::vector<int> reached;  // rank indices in R
  std::vector<char> inTree;  // per rank index
  int aux = -1;              // flow node standing for R while the group waits with a partial tree
  int hubArc = -1;           // hub -> aux
  bool finished = false;
};

class Packer {
 public:
  Packer(const std::vector<LogicalArc>& arcs, const std::vector<int>& ranks, int nodes, std::int64_t k,
         PackStats& stats)
      : arcs_(arcs), n_(static_cast<int>(ranks.size())), stats_(stats) {
    std::vector<int> index(static_cast<std::size_t>(nodes), -1);
    for (int i = 0; i < n_; ++i) index[ranks[i]] = i;
    ranks_ = ranks;
    net_.reset(n_);
    out_.resize(static_cast<std::size_t>(n_));
    for (std::size_t a = 0; a < arcs.size(); ++a) {
      int x = index[arcs[a].src], y = index[arcs[a].dst];
      if (x < 0 || y < 0) throw SolverError("internal error: logical arc touches a switch");
      tail_.push_back(x);
      head_.push_back(y);
      cap_.push_back(arcs[a].cap);
      netArc_.push_back(net_.addArc(x, y, arcs[a].cap));
      out_[x].push_back(static_cast<int>(a));
    }
    hub_ = net_.addNode();
    singletonArc_.resize(static_cast<std::size_t>(n_));
    for (int r = 0; r < n_; ++r) singletonArc_[r] = net_.addArc(hub_, r, k);
    singletonCount_.assign(static_cast<std::size_t>(n_), 0);
    for (int r = 0; r < n_; ++r) {
      Group g;
      g.root = r;
      g.count = k;
      g.reached = {r};
      g.inTree.assign(static_cast<std::size_t>(n_), 0);
      g.inTree[r] = 1;
      groups_.push_back(std::move(g));
      queue_.push_back(r);
      singletonCount_[r] = k;
      waiting_ += k;
    }
  }

  std::vector<TreeGroup> run(const ProgressFn& progress) {
    std::int64_t total = waiting_, doneTrees = 0;
    while (!queue_.empty()) {
      int gi = queue_.front();
      queue_.pop_front();
      if (progress) progress("tree packing", static_cast<double>(doneTrees) / total);
      grow(gi);
      doneTrees += groups_[gi].count;
    }
    std::vector<TreeGroup> out;
    for (Group& g : groups_) out.push_back(TreeGroup{ranks_[g.root], g.count, std::move(g.arcs)});
    stats_.groups = static_cast<std::int64_t>(out.size());
    return out;
  }

 private:
  // How many of group `gi`'s trees may take arc a (x -> y), at most `want`: the other trees must
  // still fit, i.e. every set T holding y but not x keeps in-capacity >= the trees not yet in T.
  std::int64_t safeAmount(int gi, int x, int y, std::int64_t want) {
    // The hub stands for all other waiting trees: hub -> root (their count) for trees that are still just
    // their root, hub -> aux -> R for partial ones. One arc x -> hub with the total replaces an arc per
    // group: a cut pays min(total, trees touching the sink side) = trees touching the sink side.
    std::int64_t others = waiting_ - groups_[gi].count;
    int m = net_.mark();
    net_.addArc(x, hub_, others);
    net_.clearFlow();
    ++stats_.maxflows;
    std::int64_t f = net_.augment(x, y, others + want);
    net_.rollback(m);
    return std::min(want, f - others);
  }

  void makeAux(int gi) {
    Group& g = groups_[gi];
    g.aux = net_.addNode();
    for (int z : g.reached) net_.addArc(g.aux, z, FlowNetwork::kInfinite);
    g.hubArc = net_.addArc(hub_, g.aux, g.count);
  }

  void grow(int gi) {
    // The growing group is not one of the "other" trees of its own checks.
    if (groups_[gi].hubArc >= 0) {
      net_.setCapacity(groups_[gi].hubArc, 0);
    } else {
      int r = groups_[gi].root;
      singletonCount_[r] -= groups_[gi].count;
      net_.setCapacity(singletonArc_[r], singletonCount_[r]);
    }
    for (std::size_t qi = 0; qi < groups_[gi].reached.size() && groups_[gi].reached.size() < std::size_t(n_);
         ++qi) {
      int x = groups_[gi].reached[qi];
      for (int a : out_[x]) {
        int y = head_[a];
        if (groups_[gi].inTree[y] || cap_[a] == 0) continue;
        std::int64_t want = std::min(groups_[gi].count, cap_[a]);
        std::int64_t gamma = safeAmount(gi, x, y, want);
        if (gamma <= 0) continue;
        if (gamma < groups_[gi].count) {
          // Only gamma of the identical trees may take this arc: the rest continue as a new group.
          Group clone = groups_[gi];
          clone.count -= gamma;
          groups_[gi].count = gamma;
          groups_.push_back(std::move(clone));
          int ci = static_cast<int>(groups_.size()) - 1;
          makeAux(ci);
          queue_.push_back(ci);
        }
        Group& g = groups_[gi];
        g.arcs.push_back(a);
        g.inTree[y] = 1;
        g.reached.push_back(y);
        cap_[a] -= g.count;
        net_.setCapacity(netArc_[a], cap_[a]);
        if (g.reached.size() == std::size_t(n_)) break;
      }
    }
    Group& g = groups_[gi];
    if (g.reached.size() != std::size_t(n_))
      throw SolverError("internal error: a tree of root " + std::to_string(g.root) +
                        " could not be completed (capacities do not admit the trees)");
    waiting_ -= g.count;
    g.finished = true;
  }

  const std::vector<LogicalArc>& arcs_;
  int n_;
  PackStats& stats_;
  std::vector<int> ranks_;
  std::vector<int> tail_, head_;
  std::vector<std::int64_t> cap_;
  std::vector<int> netArc_;
  std::vector<std::vector<int>> out_;
  std::vector<Group> groups_;
  std::deque<int> queue_;
  std::vector<std::int64_t> singletonCount_;  // trees per root still waiting with only their root
  std::vector<int> singletonArc_;             // hub -> root
  int hub_ = -1;
  std::int64_t waiting_ = 0;  // trees not finished
  FlowNetwork net_;
};

}  // namespace

std::vector<TreeGroup> packArborescences(const std::vector<LogicalArc>& arcs, const std::vector<int>& ranks,
                                         int nodes, std::int64_t k, PackStats* stats,
                                         const ProgressFn& progress) {
  PackStats local;
  Packer p(arcs, ranks, nodes, k, stats ? *stats : local);
  return p.run(progress);
}

}  // namespace grove::sched
