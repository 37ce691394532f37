#include "plan.hpp"

#include <nlohmann/json.hpp>

namespace grove::sched {

std::string writePlanJson(const Topology& topo, const Schedule& s, const PlanInfo& info) {
  using json = nlohmann::ordered_json;
  const auto& nodes = topo.nodes();
  json plan;
  plan["format"] = "grove-plan/1";
  plan["collective"] = collectiveName(s.collective);
  plan["algorithm"] = s.algorithm;
  plan["topology"] = topo.name;
  json ranks = json::array();
  for (int id : s.ranks) ranks.push_back(nodes[id].name);
  plan["ranks"] = ranks;
  plan["trees_per_root"] = s.treesPerRoot;
  // Executor layout: each root's shard is cut into `chunks_per_root` equal chunks; a tree carries
  // `chunks` consecutive chunks starting at `chunk_offset` (share = chunks / chunks_per_root).
  Fraction::Int chunksPerRoot = 1;
  for (const ScheduleTree& t : s.trees) chunksPerRoot = lcm128(chunksPerRoot, t.share.den());
  plan["chunks_per_root"] = static_cast<std::int64_t>(chunksPerRoot);
  if (!info.optimalAlgbw.empty()) plan["optimal_algbw_exact"] = info.optimalAlgbw;
  if (!info.scheduleAlgbw.empty()) {
    plan["algbw_exact"] = info.scheduleAlgbw;
    plan["algbw"] = Fraction::parse(info.scheduleAlgbw).toDouble();
  }
  std::vector<int> rankOf(nodes.size(), -1);
  for (std::size_t r = 0; r < s.ranks.size(); ++r) rankOf[s.ranks[r]] = static_cast<int>(r);
  std::vector<Fraction::Int> nextChunk(s.ranks.size(), 0);
  json trees = json::array();
  for (const ScheduleTree& t : s.trees) {
    json jt;
    jt["root"] = nodes[t.root].name;
    jt["root_rank"] = rankOf[t.root];
    jt["share"] = t.share.toDouble();
    jt["share_exact"] = t.share.toString();
    Fraction::Int chunks = t.share.num() * (chunksPerRoot / t.share.den());
    jt["chunk_offset"] = static_cast<std::int64_t>(nextChunk[rankOf[t.root]]);
    jt["chunks"] = static_cast<std::int64_t>(chunks);
    nextChunk[rankOf[t.root]] += chunks;
    json edges = json::array();
    for (const TreeEdge& e : t.edges) {
      json je;
      je["from"] = nodes[e.from].name;
      je["to"] = nodes[e.to].name;
      json path = json::array();
      for (int v : e.path) path.push_back(nodes[v].name);
      je["path"] = path;
      edges.push_back(std::move(je));
    }
    jt["edges"] = std::move(edges);
    trees.push_back(std::move(jt));
  }
  // One line per tree keeps big plans readable with line tools and far smaller than full indentation.
  plan["trees"] = json::array();
  std::string text = plan.dump(1);
  text.erase(text.rfind(']'));  // reopen the empty "trees" array at the end of the object
  for (std::size_t i = 0; i < trees.size(); ++i) text += (i ? ",\n  " : "\n  ") + trees[i].dump();
  text += "\n ]\n}\n";
  return text;
}

}  // namespace grove::sched
