/// @file topology.hpp
/// The topology model: compute nodes (ranks) and switch nodes joined by directed links with bandwidth.
/// Pure data, no IO; readers, writers and generators live in their own files.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <boost/rational.hpp>

namespace grove::sched {

/// Exact bandwidth in GB/s. Decimal figures such as 12.5 are represented exactly; no floating point
/// decides anything in the solver.
/// Pitfall: never write `r == 0` or `r != 0` with a plain integer. Under C++20 Boost 1.74's mixed
/// rational/integer operator== rewrites into itself and recurses until the stack overflows; compare with
/// `Rational(0)` or test `r.numerator()` instead (<, <=, >, >= with integers are fine).
using Rational = boost::rational<std::int64_t>;

/// Raised for invalid models and malformed input; `line` is the 1-based input line, 0 when unknown.
/// what() reads "line 7: message", or "file.dot:7: message" once a source name is attached.
class TopologyError : public std::runtime_error {
 public:
  TopologyError(const std::string& message, int line = 0) : TopologyError(message, line, std::string()) {}
  /// The same error located in `source` (a file name); what() becomes "source:line: message".
  TopologyError(const std::string& message, int line, const std::string& source)
      : std::runtime_error(format(message, line, source)), line_(line), detail_(message) {}
  /// 1-based input line of the problem, 0 when it has no line.
  int line() const { return line_; }
  /// The message without location prefix.
  const std::string& detail() const { return detail_; }

 private:
  static std::string format(const std::string& message, int line, const std::string& source) {
    if (source.empty()) return line > 0 ? "line " + std::to_string(line) + ": " + message : message;
    return source + ":" + (line > 0 ? std::to_string(line) + ":" : "") + " " + message;
  }
  int line_;
  std::string detail_;
};

/// A compute node is a rank that owns and consumes data; a switch only forwards it (no copy, no reduce).
enum class NodeKind { kCompute, kSwitch };

/// One vertex of the topology.
struct Node {
  std::string name;                    ///< Unique; the DOT node ID.
  NodeKind kind = NodeKind::kCompute;  ///< Compute (a rank) or switch.
  int rank = -1;                       ///< Rank of a compute node; -1 for switches.
};

/// A directed link. Parallel links between the same pair are allowed and add up.
struct Link {
  int src = 0;  ///< Node id the data leaves.
  int dst = 0;  ///< Node id the data enters.
  Rational bw;  ///< GB/s in the direction src -> dst; always > 0.
};

/// A directed multigraph of compute and switch nodes. Node ids are dense indices in declaration order.
class Topology {
 public:
  std::string name = "topology";  ///< The DOT graph name.

  /// Adds a node and returns its id; `rank` < 0 leaves the number to finalizeRanks(). Throws TopologyError
  /// on an empty or duplicate name or a rank on a switch (duplicate ranks are caught by finalizeRanks()).
  int addNode(const std::string& nodeName, NodeKind kind, int rank = -1);
  /// Adds a directed link; throws TopologyError for unknown ids, self loops or non-positive bandwidth.
  void addLink(int src, int dst, Rational bw);
  /// Adds src->dst and dst->src with the same bandwidth.
  void addBidirectional(int a, int b, Rational bw);

  /// Nodes indexed by id, in declaration order.
  const std::vector<Node>& nodes() const { return nodes_; }
  /// Links in the order they were added; parallel links stay separate.
  const std::vector<Link>& links() const { return links_; }
  /// Number of nodes (compute and switch).
  int nodeCount() const { return static_cast<int>(nodes_.size()); }
  /// Node id of `name`, or -1.
  int findNode(std::string_view nodeName) const;
  /// Compute node ids ordered by rank (ranks are made dense by finalizeRanks()).
  std::vector<int> computeNodes() const;
  /// Number of compute nodes.
  int rankCount() const;
  /// True if node `id` is a compute node.
  bool isCompute(int id) const { return nodes_[id].kind == NodeKind::kCompute; }

  /// Gives compute nodes without a rank the free numbers in declaration order, then checks that ranks
  /// are exactly 0..N-1; throws TopologyError on a duplicate rank or a gap.
  void finalizeRanks();

 private:
  std::vector<Node> nodes_;
  std::vector<Link> links_;
  std::unordered_map<std::string, int> byName_;
};

}  // namespace grove::sched
