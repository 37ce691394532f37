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
  // Node names as JSON string literals, escaped once: big plans have millions of path entries.
  std::vector<std::string> quoted(nodes.size());
  for (std::size_t i = 0; i < nodes.size(); ++i) quoted[i] = json(nodes[i].name).dump();
  // One line per tree keeps big plans readable with line tools and far smaller than full indentation.
  // Each tree is written as soon as it is formatted, so memory stays at about the size of the text.
  plan["trees"] = json::array();
  std::string text = plan.dump(1);
  text.erase(text.rfind(']'));  // reopen the empty "trees" array at the end of the object
  std::vector<Fraction::Int> nextChunk(s.ranks.size(), 0);
  for (std::size_t i = 0; i < s.trees.size(); ++i) {
    const ScheduleTree& t = s.trees[i];
    json jt;
    jt["root"] = nodes[t.root].name;
    jt["root_rank"] = rankOf[t.root];
    jt["share"] = t.share.toDouble();
    jt["share_exact"] = t.share.toString();
    Fraction::Int chunks = t.share.num() * (chunksPerRoot / t.share.den());
    jt["chunk_offset"] = static_cast<std::int64_t>(nextChunk[rankOf[t.root]]);
    jt["chunks"] = static_cast<std::int64_t>(chunks);
    nextChunk[rankOf[t.root]] += chunks;
    jt["edges"] = json::array();
    std::string head = jt.dump();
    text += i ? ",\n  " : "\n  ";
    text.append(head, 0, head.size() - 3);  // without the closing "[]}"
    text += '[';
    for (std::size_t j = 0; j < t.edges.size(); ++j) {
      const TreeEdge& e = t.edges[j];
      text += j ? ",{\"from\":" : "{\"from\":";
      text += quoted[e.from];
      text += ",\"to\":";
      text += quoted[e.to];
      text += ",\"path\":[";
      for (std::size_t k = 0; k < e.path.size(); ++k) {
        if (k) text += ',';
        text += quoted[e.path[k]];
      }
      text += "]}";
    }
    text += "]}";
  }
  text += "\n ]\n}\n";
  return text;
}

}  // namespace grove::sched
