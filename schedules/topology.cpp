#include "topology.hpp"

#include <algorithm>
#include <set>

namespace grove::sched {

int Topology::addNode(const std::string& nodeName, NodeKind kind, int rank) {
  if (nodeName.empty()) throw TopologyError("node name is empty");
  if (byName_.count(nodeName)) throw TopologyError("node '" + nodeName + "' is declared twice");
  if (kind == NodeKind::kSwitch && rank >= 0)
    throw TopologyError("switch '" + nodeName + "' cannot have a rank");
  int id = nodeCount();
  nodes_.push_back(Node{nodeName, kind, rank});
  byName_.emplace(nodeName, id);
  return id;
}

void Topology::addLink(int src, int dst, Rational bw) {
  if (src < 0 || dst < 0 || src >= nodeCount() || dst >= nodeCount())
    throw TopologyError("link between unknown nodes");
  if (src == dst) throw TopologyError("link from '" + nodes_[src].name + "' to itself");
  if (bw <= 0)
    throw TopologyError("link " + nodes_[src].name + " -> " + nodes_[dst].name +
                        " needs a positive bandwidth");
  links_.push_back(Link{src, dst, bw});
}

void Topology::addBidirectional(int a, int b, Rational bw) {
  addLink(a, b, bw);
  addLink(b, a, bw);
}

int Topology::findNode(std::string_view nodeName) const {
  auto it = byName_.find(std::string(nodeName));
  return it == byName_.end() ? -1 : it->second;
}

std::vector<int> Topology::computeNodes() const {
  std::vector<int> ids;
  for (int i = 0; i < nodeCount(); ++i)
    if (nodes_[i].kind == NodeKind::kCompute) ids.push_back(i);
  std::stable_sort(ids.begin(), ids.end(), [&](int a, int b) { return nodes_[a].rank < nodes_[b].rank; });
  return ids;
}

int Topology::rankCount() const {
  return static_cast<int>(std::count_if(nodes_.begin(), nodes_.end(),
                                        [](const Node& n) { return n.kind == NodeKind::kCompute; }));
}

void Topology::finalizeRanks() {
  // Explicit ranks keep their number; the others take the free numbers in declaration order.
  std::set<int> taken;
  for (const Node& n : nodes_)
    if (n.kind == NodeKind::kCompute && n.rank >= 0 && !taken.insert(n.rank).second)
      throw TopologyError("rank " + std::to_string(n.rank) + " is given to two compute nodes");
  int next = 0;
  for (Node& n : nodes_) {
    if (n.kind != NodeKind::kCompute || n.rank >= 0) continue;
    while (taken.count(next)) ++next;
    n.rank = next;
    taken.insert(next);
  }
  int expected = 0;
  for (int r : taken) {
    if (r != expected)
      throw TopologyError("ranks must be 0.." + std::to_string(taken.size() - 1) + " without gaps; rank " +
                          std::to_string(expected) + " is missing");
    ++expected;
  }
}

}  // namespace grove::sched
