#include "edge_splitting.hpp"

#include <algorithm>
#include <map>
#include <set>
#include <unordered_map>

#include "maxflow.hpp"

namespace grove::sched {
namespace {

class Splitter {
 public:
  Splitter(const ScaledGraph& g, const std::vector<std::int64_t>& caps, std::int64_t k, SplitStats& stats)
      : g_(g), n_(g.nodes), source_(g.nodes), demand_(checkedMul(g.rankCount(), k)), stats_(stats) {
    out_.resize(static_cast<std::size_t>(n_));
    in_.resize(static_cast<std::size_t>(n_));
    net_.reset(n_ + 1);
    for (int r : g.ranks) net_.addArc(source_, r, k);
    for (std::size_t i = 0; i < g.arcs.size(); ++i) {
      const Arc& a = g.arcs[i];
      if (caps[i] <= 0) continue;
      setCap(a.src, a.dst, caps[i]);
      pieces_[key(a.src, a.dst)].push_back(PathPiece{{a.src, a.dst}, caps[i]});
    }
  }

  void run(const ProgressFn& progress) {
    std::vector<char> done(static_cast<std::size_t>(n_), 0);
    int switches = 0;
    for (int v = 0; v < n_; ++v) switches += !g_.isCompute[v];
    for (int step = 0; step < switches; ++step) {
      if (progress) progress("switch removal", static_cast<double>(step) / switches);
      splitSwitch(pickSwitch(done));
    }
  }

  std::vector<LogicalArc> result() {
    std::vector<LogicalArc> arcs;
    for (int a = 0; a < n_; ++a)
      for (auto [b, cap] : out_[a]) {
        if (!g_.isCompute[a] || !g_.isCompute[b])
          throw SolverError("internal error: an arc still touches a switch after splitting");
        arcs.push_back(LogicalArc{a, b, cap, std::move(pieces_[key(a, b)])});
      }
    return arcs;
  }

 private:
  std::uint64_t key(int a, int b) const { return static_cast<std::uint64_t>(a) * n_ + b; }

  std::int64_t cap(int a, int b) const {
    auto it = out_[a].find(b);
    return it == out_[a].end() ? 0 : it->second;
  }

  void setCap(int a, int b, std::int64_t c) {
    if (c > 0) {
      out_[a][b] = c;
      in_[b][a] = c;
    } else {
      out_[a].erase(b);
      in_[b].erase(a);
    }
    auto it = arcId_.find(key(a, b));
    if (it == arcId_.end()) {
      if (c > 0) arcId_.emplace(key(a, b), net_.addArc(a, b, c));
    } else {
      net_.setCapacity(it->second, c);
    }
  }

  // Next switch: the one with the fewest switch neighbours, so that splits mostly pair ranks (their
  // danger sets then need a single max-flow each).
  int pickSwitch(std::vector<char>& done) {
    int best = -1;
    std::size_t bestScore = 0;
    for (int w = 0; w < n_; ++w) {
      if (g_.isCompute[w] || done[w]) continue;
      std::size_t score = 0;
      for (auto& [x, c] : out_[w]) score += !g_.isCompute[x];
      for (auto& [x, c] : in_[w]) score += !g_.isCompute[x];
      score = score * 1000000 + out_[w].size() + in_[w].size();
      if (best < 0 || score < bestScore) best = w, bestScore = score;
    }
    done[best] = 1;
    return best;
  }

  bool someRankOutside(const std::vector<char>& side) const {
    for (int r : g_.ranks)
      if (!side[r]) return true;
    return false;
  }

  // Minimum over danger sets X (super-source inside, `sink` and some rank outside, forced nodes set by
  // the caller's temporary arcs) of d+(X) - demand, capped at `want`. `forceOut(v)` adds the arc that
  // forces rank v out of X. `ranksAlreadyOut` means a rank is outside every candidate X anyway.
  std::int64_t slack(int sink, std::int64_t want, bool ranksAlreadyOut, int forceTo,
                     const std::vector<int>& skip) {
    net_.clearFlow();
    ++stats_.maxflows;
    std::int64_t f = net_.augment(source_, sink, demand_ + want);
    if (f >= demand_ + want) return want;
    if (!ranksAlreadyOut) {
      net_.sourceSide(source_, side_);
      ranksAlreadyOut = someRankOutside(side_);
    }
    if (ranksAlreadyOut) return f - demand_;
    // Every minimum cut keeps all ranks inside, so the answer is min over ranks v of the cut with v forced
    // out. As in Hao and Orlin's algorithm, after v is done it joins the source side: a later rank only
    // needs the sets that keep v inside, the others were covered by v's own cut. The flow carries over
    // (v's intake becomes harmless excess at a source), so each step only tops it up.
    std::int64_t best = want;
    int m = net_.mark();
    for (int v : g_.ranks) {
      if (std::find(skip.begin(), skip.end(), v) != skip.end()) continue;
      int force = net_.addArc(v, forceTo, FlowNetwork::kInfinite);
      ++stats_.maxflows;
      std::int64_t fv = net_.augment(source_, sink, demand_ + best);
      best = std::min(best, fv - demand_);
      if (best <= 0) break;
      net_.dropArc(force);
      net_.addArc(source_, v, FlowNetwork::kInfinite);
    }
    net_.rollback(m);
    return best;
  }

  // Largest amount (<= want) of u->w->t that can be split into u->t keeping every rank's demand.
  std::int64_t admissible(int u, int w, int t, std::int64_t want) {
    // Sets with u, t inside and w outside lose the split amount on (u,w).
    int m = net_.mark();
    net_.addArc(source_, u, FlowNetwork::kInfinite);
    if (t != u) net_.addArc(source_, t, FlowNetwork::kInfinite);
    std::int64_t got = slack(w, want, false, w, {u, t});
    net_.rollback(m);
    if (got <= 0) return 0;
    // Sets with w inside and u, t outside lose it on (w,t).
    net_.addArc(source_, w, FlowNetwork::kInfinite);
    if (t != u) net_.addArc(u, t, FlowNetwork::kInfinite);
    got = slack(t, got, g_.isCompute[u] || g_.isCompute[t], t, {u});
    net_.rollback(m);
    return std::max<std::int64_t>(got, 0);
  }

  std::vector<PathPiece> take(int a, int b, std::int64_t amount) {
    auto& list = pieces_[key(a, b)];
    std::vector<PathPiece> got;
    std::size_t i = 0;
    while (amount > 0) {
      PathPiece& p = list[i];
      std::int64_t use = std::min(amount, p.amount);
      got.push_back(PathPiece{p.path, use});
      p.amount -= use;
      amount -= use;
      if (p.amount == 0) ++i;
    }
    list.erase(list.begin(), list.begin() + static_cast<std::ptrdiff_t>(i));
    return got;
  }

  void apply(int u, int w, int t, std::int64_t amount) {
    ++stats_.splits;
    std::vector<PathPiece> first = take(u, w, amount), second = take(w, t, amount);
    setCap(u, w, cap(u, w) - amount);
    setCap(w, t, cap(w, t) - amount);
    if (u == t) return;  // a detour back to u carries nothing
    setCap(u, t, cap(u, t) + amount);
    auto& list = pieces_[key(u, t)];
    std::size_t i = 0, j = 0;
    std::int64_t usedI = 0, usedJ = 0;
    while (i < first.size() && j < second.size()) {
      std::int64_t a = std::min(first[i].amount - usedI, second[j].amount - usedJ);
      std::vector<int> path = first[i].path;
      path.insert(path.end(), second[j].path.begin() + 1, second[j].path.end());
      auto same = std::find_if(list.begin(), list.end(), [&](const PathPiece& p) { return p.path == path; });
      if (same != list.end())
        same->amount += a;
      else
        list.push_back(PathPiece{std::move(path), a});
      usedI += a;
      usedJ += a;
      if (usedI == first[i].amount) ++i, usedI = 0;
      if (usedJ == second[j].amount) ++j, usedJ = 0;
    }
  }

  // A switch between exactly two neighbours a and b with c(a,w) = c(w,b) (so also c(b,w) = c(w,a)) is a
  // pair of series links: replacing a->w->b and b->w->a by direct arcs keeps every cut. For a set X
  // without w, the new d+(X) equals the old d+(X + w), so no max-flow is needed.
  bool splitSeries(int w) {
    std::set<int> nb;
    for (auto& [x, c] : in_[w]) nb.insert(x);
    for (auto& [x, c] : out_[w]) nb.insert(x);
    if (nb.size() != 2) return false;
    int a = *nb.begin(), b = *nb.rbegin();
    if (cap(a, w) != cap(w, b) || cap(b, w) != cap(w, a)) return false;
    if (cap(a, w) > 0) apply(a, w, b, cap(a, w));
    if (cap(b, w) > 0) apply(b, w, a, cap(b, w));
    return true;
  }

  // Whole-switch splitting for switches whose in-capacity is below what the pairwise test needs (a big
  // leaf switch): every pairwise danger test would then sweep all ranks. Instead propose a balanced
  // complete splitting (unit j of in-neighbour i goes to the out-neighbour j places further round) and
  // verify it with one rooted max-flow per rank on the graph with w replaced. Returns false (changing
  // nothing) when the proposal fails; the pairwise method then takes over.
  bool splitWhole(int w) {
    std::vector<std::pair<int, std::int64_t>> ins(in_[w].begin(), in_[w].end()),
        outs(out_[w].begin(), out_[w].end());
    std::int64_t total = 0, totalOut = 0;
    for (auto& [u, c] : ins) total += c;
    for (auto& [t, c] : outs) totalOut += c;
    if (total != totalOut || ins.size() < 3) return false;
    // Unit m of in-neighbour i goes to out-neighbour i + (m + 1) * stride (stride = d / units, offsets kept
    // in 1..d-1; cyclically, skipping full ones and i itself): with equal capacities every round m is a
    // permutation, so the out-capacities balance and each sender spreads over targets far apart instead of
    // forming a ring. Neighbours with nearby ids tend to sit in the same box, and a box's links to the rest
    // are often a tight cut, so far apart matters; when the proposal is not admissible the pairwise method
    // takes over.
    std::vector<std::int64_t> room;
    for (auto& [t, c] : outs) room.push_back(c);
    const std::size_t nOut = outs.size();
    std::int64_t rounds = 0;
    for (auto& [u, c] : ins) rounds = std::max(rounds, c);
    std::map<std::pair<int, int>, std::int64_t> gamma;
    for (std::int64_t m = 0; m < rounds; ++m)
      for (std::size_t i = 0; i < ins.size(); ++i) {
        if (ins[i].second <= m) continue;
        std::size_t stride = std::max<std::size_t>(1, nOut / static_cast<std::size_t>(ins[i].second));
        std::size_t offset = nOut > 1 ? 1 + ((static_cast<std::size_t>(m) + 1) * stride - 1) % (nOut - 1) : 0;
        std::size_t start = (i + offset) % nOut, j = 0;
        for (; j < nOut; ++j) {
          std::size_t t = (start + j) % nOut;
          if (room[t] > 0 && outs[t].first != ins[i].first) {
            --room[t];
            ++gamma[{ins[i].first, outs[t].first}];
            break;
          }
        }
        if (j == nOut) return false;
      }
    // Verify on the network: w's arcs off, the proposed direct arcs on.
    std::vector<std::pair<int, std::int64_t>> saved;
    for (auto& [u, c] : ins) saved.emplace_back(arcId_.at(key(u, w)), c);
    for (auto& [t, c] : outs) saved.emplace_back(arcId_.at(key(w, t)), c);
    for (auto& [arc, c] : saved) net_.setCapacity(arc, 0);
    int m = net_.mark();
    for (auto& [ut, c] : gamma) net_.addArc(ut.first, ut.second, c);
    bool ok = true;
    for (int v : g_.ranks) {
      net_.clearFlow();
      ++stats_.maxflows;
      if (net_.augment(source_, v, demand_) < demand_) {
        ok = false;
        break;
      }
    }
    net_.rollback(m);
    for (auto& [arc, c] : saved) net_.setCapacity(arc, c);
    if (!ok) return false;
    for (auto& [ut, c] : gamma) apply(ut.first, w, ut.second, c);
    return true;
  }

  void splitSwitch(int w) {
    if (splitSeries(w)) return;
    // The whole-switch proposal costs one max-flow per rank; pairwise splitting costs about two per (u, t)
    // pair tried, and a pair sweeps all ranks once w's remaining in-capacity drops below the demand,
    // which happens on every switch of a large machine. So the proposal goes first.
    if (splitWhole(w)) return;
    // Two passes: first spread each in-arc evenly over the out-arcs (so a crossbar becomes an
    // all-to-all rather than a matching), then split whatever is left greedily.
    for (int pass = 0; pass < 2; ++pass) {
      std::vector<int> ins;
      for (auto& [u, c] : in_[w]) ins.push_back(u);
      for (int u : ins) {
        std::vector<int> outs;
        for (auto& [t, c] : out_[w]) outs.push_back(t);
        // Detours back to u last: they waste capacity.
        std::stable_partition(outs.begin(), outs.end(), [&](int t) { return t != u; });
        std::int64_t others = static_cast<std::int64_t>(outs.size()) - (cap(w, u) > 0 ? 1 : 0);
        std::int64_t quota = pass == 0 ? (cap(u, w) + std::max<std::int64_t>(others, 1) - 1) /
                                             std::max<std::int64_t>(others, 1)
                                       : INT64_MAX;
        for (int t : outs) {
          std::int64_t cuw = cap(u, w);
          if (cuw == 0) break;
          if (pass == 0 && t == u) continue;
          std::int64_t want = std::min({cuw, cap(w, t), quota});
          if (want <= 0) continue;
          std::int64_t gamma = admissible(u, w, t, want);
          if (gamma > 0) apply(u, w, t, gamma);
        }
      }
    }
    // Whatever remains could not be paired: only possible when floored capacities left w unbalanced.
    for (auto& [u, c] : std::map<int, std::int64_t>(in_[w])) {
      stats_.droppedUnits += c;
      setCap(u, w, 0);
    }
    for (auto& [t, c] : std::map<int, std::int64_t>(out_[w])) {
      stats_.droppedUnits += c;
      setCap(w, t, 0);
    }
  }

  const ScaledGraph& g_;
  int n_;
  int source_;
  std::int64_t demand_;
  SplitStats& stats_;
  std::vector<std::map<int, std::int64_t>> out_, in_;
  std::unordered_map<std::uint64_t, std::vector<PathPiece>> pieces_;
  std::unordered_map<std::uint64_t, int> arcId_;
  FlowNetwork net_;
  std::vector<char> side_;
};

}  // namespace

std::vector<LogicalArc> splitOffSwitches(const ScaledGraph& g, const std::vector<std::int64_t>& treeCaps,
                                         std::int64_t k, SplitStats* stats, const ProgressFn& progress) {
  SplitStats local;
  Splitter s(g, treeCaps, k, stats ? *stats : local);
  s.run(progress);
  return s.result();
}

}  // namespace grove::sched
