#include "msccl_xml.hpp"

#include <map>
#include <set>
#include <sstream>

namespace grove::sched {
namespace {

struct Step {
  std::string type;
  char srcbuf = 'o', dstbuf = 'o';
  long srcoff = 0, dstoff = 0, cnt = 1;
  int depTb = -1;  // thread block of the same GPU this step waits for (its step 0)
  bool hasdep = false;
};

struct ThreadBlock {
  int send = -1, recv = -1, chan = 0;
  Step step;
};

class Builder {
 public:
  Builder(const Topology& topo, const Schedule& s) : s_(s), n_(static_cast<int>(s.ranks.size())) {
    rankOf_.assign(topo.nodes().size(), -1);
    for (int r = 0; r < n_; ++r) rankOf_[s.ranks[r]] = r;
    for (const ScheduleTree& t : s.trees) chunks_ = lcm128(chunks_, t.share.den());
    gpus_.resize(static_cast<std::size_t>(n_));
  }

  MscclXml build(const std::string& name) {
    std::vector<Fraction::Int> next(static_cast<std::size_t>(n_), 0);
    for (const ScheduleTree& t : s_.trees) {
      int root = rankOf_[t.root];
      long cnt = static_cast<long>(t.share.num() * (chunks_ / t.share.den()));
      long off = static_cast<long>(root * chunks_ + next[root]);
      next[root] += cnt;
      // children lists in rank indices, in edge order
      std::vector<std::vector<int>> kids(static_cast<std::size_t>(n_));
      for (const TreeEdge& e : t.edges) kids[rankOf_[e.from]].push_back(rankOf_[e.to]);
      int rootDep = -1;
      if (s_.collective != Collective::kAllGather) rootDep = reduceTree(root, kids, off, cnt);
      if (s_.collective != Collective::kReduceScatter) broadcastTree(root, kids, off, cnt, rootDep);
    }
    return emit(name);
  }

 private:
  int addTb(int gpu, ThreadBlock tb) {
    gpus_[gpu].push_back(tb);
    return static_cast<int>(gpus_[gpu].size()) - 1;
  }

  // Smallest channel free on every directed connection of a chain of transfers.
  int channelFor(const std::vector<std::pair<int, int>>& chain) {
    for (int c = 0;; ++c) {
      bool free = true;
      for (auto& [a, b] : chain) free = free && !used_.count({a, b, c});
      if (free) {
        for (auto& [a, b] : chain) used_.insert({a, b, c});
        return c;
      }
    }
  }

  // Allgather phase: the root sends to each child; every other rank receives from its parent and forwards
  // to its first child in the same block (rcs); further children get send blocks that wait for it.
  void broadcastTree(int root, const std::vector<std::vector<int>>& kids, long off, long cnt, int rootDep) {
    for (int child : kids[root]) startChain(root, child, rootDep, kids, off, cnt);
  }

  // A send block at `a` (waiting for block `dep` of `a`) starts a chain a -> b -> first child -> ... that
  // shares one channel.
  void startChain(int a, int b, int dep, const std::vector<std::vector<int>>& kids, long off, long cnt) {
    std::vector<std::pair<int, int>> chain{{a, b}};
    for (int v = b; !kids[v].empty(); v = kids[v][0]) chain.emplace_back(v, kids[v][0]);
    int chan = channelFor(chain);
    if (dep >= 0) gpus_[a][dep].step.hasdep = true;
    addTb(a, ThreadBlock{b, -1, chan, Step{"s", 'o', 'o', off, off, cnt, dep, false}});
    int prev = a;
    for (int v = b;; v = kids[v][0]) {
      bool fwd = !kids[v].empty();
      int tb = addTb(v, ThreadBlock{fwd ? kids[v][0] : -1, prev, chan,
                                    Step{fwd ? "rcs" : "r", 'o', 'o', off, off, cnt, -1, false}});
      for (std::size_t i = 1; i < kids[v].size(); ++i) startChain(v, kids[v][i], tb, kids, off, cnt);
      if (!fwd) break;
      prev = v;
    }
  }

  // Reduce-scatter phase (the tree reversed): leaves send their input chunk up; a rank first folds its
  // extra children into scratch (rrc, chained), then receives its first child, reduces and sends to its
  // parent (rrs) on the first child's channel. The root's last fold writes the output. Returns the
  // root's last block (the allreduce broadcast waits for it).
  int reduceTree(int root, const std::vector<std::vector<int>>& kids, long off, long cnt) {
    std::vector<int> parent(static_cast<std::size_t>(n_), -1), order{root};
    for (std::size_t i = 0; i < order.size(); ++i)
      for (int c : kids[order[i]]) parent[c] = order[i], order.push_back(c);
    // Channel of the upward chain that starts at each rank which is not a first child.
    std::vector<int> chanOf(static_cast<std::size_t>(n_), -1);
    for (int v : order) {
      bool startsChain = v == root ? false : (kids[parent[v]][0] != v || parent[v] == root);
      if (v == root) continue;
      if (!startsChain && chanOf[v] >= 0) continue;
      // The chain runs from the deepest first-child descendant of v up to v's parent.
      std::vector<int> members{v};
      for (int w = v; !kids[w].empty(); w = kids[w][0]) members.push_back(kids[w][0]);
      std::vector<std::pair<int, int>> chain;
      for (std::size_t i = members.size() - 1; i > 0; --i) chain.emplace_back(members[i], members[i - 1]);
      chain.emplace_back(v, parent[v]);
      int c = channelFor(chain);
      for (int m : members) chanOf[m] = c;
    }
    const long scratchOff = off;
    int last = -1;
    for (auto it = order.rbegin(); it != order.rend(); ++it) {
      int v = *it;
      const auto& ks = kids[v];
      bool isRoot = v == root;
      std::size_t extraBegin = isRoot ? 0 : 1;  // the root folds every child; others forward the first
      int dep = -1;
      char acc = 'i';
      for (std::size_t i = extraBegin; i < ks.size(); ++i) {
        bool final = isRoot && i + 1 == ks.size();
        // Reduce-scatter keeps only the root's shard in the output; allreduce keeps the whole buffer.
        long outOff =
            s_.collective == Collective::kReduceScatter ? off - root * static_cast<long>(chunks_) : off;
        Step st{"rrc", acc, final ? 'o' : 's', off, final ? outOff : scratchOff, cnt, dep, false};
        if (dep >= 0) gpus_[v][dep].step.hasdep = true;
        dep = addTb(v, ThreadBlock{-1, ks[i], chanOf[ks[i]], st});
        acc = 's';
      }
      if (isRoot) {
        last = dep;
        continue;
      }
      if (dep >= 0) gpus_[v][dep].step.hasdep = true;
      if (ks.empty()) {
        addTb(v, ThreadBlock{parent[v], -1, chanOf[v], Step{"s", 'i', 'o', off, off, cnt, -1, false}});
      } else {
        addTb(v, ThreadBlock{parent[v], ks[0], chanOf[v], Step{"rrs", acc, 'o', off, off, cnt, dep, false}});
      }
    }
    return last;
  }

  MscclXml emit(const std::string& name) {
    MscclXml out;
    long total = static_cast<long>(n_ * chunks_);
    bool ag = s_.collective == Collective::kAllGather, rs = s_.collective == Collective::kReduceScatter;
    for (auto& key : used_) out.channels = std::max(out.channels, std::get<2>(key) + 1);
    std::ostringstream x;
    x << "<algo name=\"" << name << "\" proto=\"Simple\" nchannels=\"" << out.channels
      << "\" nchunksperloop=\"" << total << "\" ngpus=\"" << n_ << "\" coll=\""
      << (ag   ? "allgather"
          : rs ? "reducescatter"
               : "allreduce")
      << "\" inplace=\"" << (ag ? 1 : 0) << "\" outofplace=\"" << (ag ? 0 : 1)
      << "\" minBytes=\"0\" maxBytes=\"1099511627776\">\n";
    for (int g = 0; g < n_; ++g) {
      long in = ag ? 0 : total, o = rs ? static_cast<long>(chunks_) : total, sc = ag ? 0 : total;
      x << "  <gpu id=\"" << g << "\" i_chunks=\"" << in << "\" o_chunks=\"" << o << "\" s_chunks=\"" << sc
        << "\">\n";
      for (std::size_t t = 0; t < gpus_[g].size(); ++t) {
        const ThreadBlock& tb = gpus_[g][t];
        const Step& st = tb.step;
        x << "    <tb id=\"" << t << "\" send=\"" << tb.send << "\" recv=\"" << tb.recv << "\" chan=\""
          << tb.chan << "\">\n      <step s=\"0\" type=\"" << st.type << "\" srcbuf=\"" << st.srcbuf
          << "\" srcoff=\"" << st.srcoff << "\" dstbuf=\"" << st.dstbuf << "\" dstoff=\"" << st.dstoff
          << "\" cnt=\"" << st.cnt << "\" depid=\"" << st.depTb << "\" deps=\"" << (st.depTb >= 0 ? 0 : -1)
          << "\" hasdep=\"" << (st.hasdep ? 1 : 0) << "\"/>\n    </tb>\n";
      }
      x << "  </gpu>\n";
      out.maxThreadBlocksPerGpu = std::max(out.maxThreadBlocksPerGpu, static_cast<int>(gpus_[g].size()));
    }
    x << "</algo>\n";
    out.xml = x.str();
    if (out.channels > 32)
      out.warnings.push_back("uses " + std::to_string(out.channels) + " channels (MSCCL allows 32)");
    if (out.maxThreadBlocksPerGpu > 216)
      out.warnings.push_back("uses " + std::to_string(out.maxThreadBlocksPerGpu) +
                             " thread blocks on one GPU (MSCCL allows 216)");
    if (chunks_ >= 72) out.warnings.push_back("a step may move 72 or more chunks (MSCCL_MAX_COUNT is 72)");
    return out;
  }

  const Schedule& s_;
  int n_;
  Fraction::Int chunks_ = 1;
  std::vector<int> rankOf_;
  std::vector<std::vector<ThreadBlock>> gpus_;
  std::set<std::tuple<int, int, int>> used_;  // (sender, receiver, channel)
};

}  // namespace

MscclXml writeMscclXml(const Topology& topo, const Schedule& s, const std::string& name) {
  return Builder(topo, s).build(name);
}

}  // namespace grove::sched
