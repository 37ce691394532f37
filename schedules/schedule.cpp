#include "schedule.hpp"

#include <map>
#include <stdexcept>

namespace grove::sched {

std::string collectiveName(Collective c) {
  switch (c) {
    case Collective::kAllGather:
      return "allgather";
    case Collective::kReduceScatter:
      return "reduce-scatter";
    case Collective::kAllReduce:
      return "allreduce";
  }
  return "allgather";
}

Collective parseCollective(const std::string& name) {
  if (name == "allgather" || name == "all-gather") return Collective::kAllGather;
  if (name == "reduce-scatter" || name == "reducescatter" || name == "reduce_scatter")
    return Collective::kReduceScatter;
  if (name == "allreduce" || name == "all-reduce") return Collective::kAllReduce;
  throw std::invalid_argument("unknown collective '" + name + "' (allgather, reduce-scatter, allreduce)");
}

namespace {

// Time per unit of M (seconds * GB/s) of one phase: max over links of load / bandwidth.
Fraction phaseTime(const Topology& topo, const Schedule& s, bool reversed,
                   const std::map<std::pair<int, int>, Rational>& bw) {
  std::map<std::pair<int, int>, Fraction> load;
  for (const ScheduleTree& t : s.trees)
    for (const TreeEdge& e : t.edges)
      for (std::size_t i = 0; i + 1 < e.path.size(); ++i) {
        auto link =
            reversed ? std::make_pair(e.path[i + 1], e.path[i]) : std::make_pair(e.path[i], e.path[i + 1]);
        auto it = load.find(link);
        if (it == load.end())
          load.emplace(link, t.share);
        else
          it->second = it->second + t.share;
      }
  Fraction worst(0);
  for (auto& [link, l] : load) {
    auto b = bw.find(link);
    if (b == bw.end())
      throw TopologyError("schedule uses a link " + topo.nodes()[link.first].name + " -> " +
                          topo.nodes()[link.second].name + " that the topology does not have");
    Fraction t = l / Fraction(b->second.numerator(), b->second.denominator());
    if (worst < t) worst = t;
  }
  // Every tree carries share * M / N bytes.
  return worst / Fraction(static_cast<std::int64_t>(s.ranks.size()));
}

}  // namespace

Fraction scheduleAlgbw(const Topology& topo, const Schedule& s) {
  std::map<std::pair<int, int>, Rational> bw;
  for (const Link& l : topo.links()) bw[{l.src, l.dst}] += l.bw;
  Fraction t(0);
  if (s.collective != Collective::kReduceScatter) t = t + phaseTime(topo, s, false, bw);
  if (s.collective != Collective::kAllGather) t = t + phaseTime(topo, s, true, bw);
  if (t.num() == 0) throw std::invalid_argument("schedule moves no data");
  return Fraction(1) / t;
}

}  // namespace grove::sched
