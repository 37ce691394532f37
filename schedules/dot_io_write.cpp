// The DOT writer: the inverse of parseDot for every topology whose names can be written in DOT.
#include <algorithm>
#include <cctype>

#include "schedules/dot_io.hpp"

namespace grove::sched {
namespace {

bool isKeyword(const std::string& s) {
  std::string l = s;
  std::transform(l.begin(), l.end(), l.begin(), [](unsigned char c) { return std::tolower(c); });
  return l == "node" || l == "edge" || l == "graph" || l == "digraph" || l == "subgraph" || l == "strict";
}

// Plain identifiers stay bare (so generated files read like hand-written ones); everything else is
// quoted with '"' escaped, which is the only escape DOT's lexer undoes.
std::string quoteId(const std::string& s) {
  bool bare = !s.empty() && !isKeyword(s) && !std::isdigit(static_cast<unsigned char>(s[0]));
  for (char c : s) bare = bare && (std::isalnum(static_cast<unsigned char>(c)) || c == '_');
  if (bare) return s;
  // A backslash at the end or before a newline would change meaning inside quotes ('\"' and line
  // continuation), and DOT has no escape for a backslash itself.
  for (std::size_t i = 0; i < s.size(); ++i)
    if (s[i] == '\\' && (i + 1 == s.size() || s[i + 1] == '\n' || s[i + 1] == '\r'))
      throw TopologyError("name '" + s +
                          "' cannot be written in DOT (backslash at its end or before a newline)");
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out += '\\';
    out += c;
  }
  return out + "\"";
}

std::string bwValue(const Rational& bw) {
  std::string text = formatRational(bw);
  return text.find('/') == std::string::npos ? text : "\"" + text + "\"";
}

}  // namespace

std::string writeDot(const Topology& topo) {
  // Ranks are implied by declaration order unless the model says otherwise.
  bool explicitRanks = false;
  int ordinal = 0;
  for (const Node& n : topo.nodes())
    if (n.kind == NodeKind::kCompute) explicitRanks = explicitRanks || n.rank != ordinal++;

  std::string out = "digraph " + (topo.name.empty() ? std::string() : quoteId(topo.name) + " ") + "{\n";
  for (const Node& n : topo.nodes()) {
    out += "  " + quoteId(n.name) + " [kind=" + (n.kind == NodeKind::kCompute ? "compute" : "switch");
    if (n.kind == NodeKind::kCompute && explicitRanks) out += ", rank=" + std::to_string(n.rank);
    out += "];\n";
  }
  for (const Link& l : topo.links())
    out += "  " + quoteId(topo.nodes()[l.src].name) + " -> " + quoteId(topo.nodes()[l.dst].name) +
           " [bw=" + bwValue(l.bw) + "];\n";
  return out + "}\n";
}

}  // namespace grove::sched
