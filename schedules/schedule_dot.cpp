#include "schedule_dot.hpp"

#include <sstream>

namespace grove::sched {

std::string writeScheduleDot(const Topology& topo, const Schedule& s) {
  static const char* kColors[] = {"#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e",
                                  "#8c564b", "#e377c2", "#17becf", "#7f7f7f", "#bcbd22"};
  const auto& nodes = topo.nodes();
  std::ostringstream d;
  d << "digraph schedule {\n  label=\"" << collectiveName(s.collective) << " (" << s.algorithm << "), "
    << s.trees.size() << " trees\";\n  labelloc=t;\n  node [shape=circle, fontsize=10];\n"
    << "  edge [fontsize=8];\n";
  for (std::size_t i = 0; i < s.trees.size(); ++i) {
    const ScheduleTree& t = s.trees[i];
    const char* color = kColors[i % (sizeof(kColors) / sizeof(kColors[0]))];
    std::string prefix("t");
    prefix.append(std::to_string(i)).append("_");
    d << "  subgraph cluster_" << i << " {\n    label=\"root " << nodes[t.root].name << ", share "
      << t.share.toString() << "\";\n    color=\"" << color << "\";\n";
    d << "    \"" << prefix << nodes[t.root].name << "\" [label=\"" << nodes[t.root].name
      << "\", style=filled, fillcolor=\"" << color << "\", fontcolor=white];\n";
    for (const TreeEdge& e : t.edges) {
      d << "    \"" << prefix << nodes[e.to].name << "\" [label=\"" << nodes[e.to].name << "\"];\n";
      std::string via;
      for (std::size_t k = 1; k + 1 < e.path.size(); ++k) {
        if (!via.empty()) via.push_back(',');
        via.append(nodes[e.path[k]].name);
      }
      d << "    \"" << prefix << nodes[e.from].name << "\" -> \"" << prefix << nodes[e.to].name
        << "\" [color=\"" << color << "\"";
      if (!via.empty()) d << ", label=\"" << via << "\"";
      d << "];\n";
    }
    d << "  }\n";
  }
  d << "}\n";
  return d.str();
}

}  // namespace grove::sched
