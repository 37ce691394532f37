// The DOT reader: recursive descent over the tokens of dot_io_lexer, building a Topology at the end so
// that nodes may be used in edges before the statement that gives their kind.
#include "schedules/dot_io.hpp"

#include <algorithm>
#include <fstream>
#include <map>
#include <optional>
#include <sstream>
#include <unordered_map>
#include <vector>

#include "schedules/dot_io_lexer.hpp"

namespace grove::sched {
namespace {

using dot::Lexer;
using dot::Tok;
using dot::Token;

// Deep nesting of subgraphs would otherwise let hostile input exhaust the stack.
constexpr int kMaxDepth = 64;
constexpr int kMaxRank = 10'000'000;

// Attributes that matter to grove, each with the line that set it; everything else (label, shape,
// color, ...) is accepted and ignored so that files can be styled for drawing.
struct NodeAttrs {
  std::optional<NodeKind> kind;
  int kindLine = 0;
  std::optional<int> rank;
  int rankLine = 0;
};
struct EdgeAttrs {
  std::optional<Rational> bw;
};
// Defaults set by `node [...]` and `edge [...]`; subgraphs inherit and may override them locally.
struct Scope {
  NodeAttrs node;
  EdgeAttrs edge;
};

struct PendingNode {
  std::string name;
  int firstLine = 0;  // where the name first appeared
  NodeAttrs attrs;
};
struct PendingEdge {
  int src, dst;
  Rational bw;
  int line;
};

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

std::string kindName(NodeKind k) { return k == NodeKind::kCompute ? "compute" : "switch"; }

class Parser {
 public:
  explicit Parser(std::string_view text) : lexer_(text) { advance(); }

  Topology parse() {
    parseHeader();
    Scope top;
    parseStatements(top, 0);
    expect(Tok::kRBrace, "'}' closing the graph");
    if (tok_.kind != Tok::kEnd)
      fail("unexpected " + Lexer::describe(tok_) + " after the end of the graph; one graph per file");
    return build();
  }

 private:
  [[noreturn]] void fail(const std::string& message, int line = -1) {
    throw TopologyError(message, line < 0 ? tok_.line : line);
  }
  void advance() { tok_ = lexer_.next(); }
  bool isKeyword(const char* word) const {
    return tok_.kind == Tok::kId && !tok_.quoted && lower(tok_.text) == word;
  }
  static bool isKeywordText(const Token& t) {
    static const char* kWords[] = {"node", "edge", "graph", "digraph", "subgraph", "strict"};
    std::string l = lower(t.text);
    return !t.quoted &&
           std::any_of(std::begin(kWords), std::end(kWords), [&](const char* w) { return l == w; });
  }
  void expect(Tok kind, const std::string& what) {
    if (tok_.kind != kind) fail("expected " + what + " but found " + Lexer::describe(tok_));
    advance();
  }
  // An ID, joining "a" + "b" concatenations of quoted strings.
  Token takeId(const std::string& what) {
    if (tok_.kind != Tok::kId) fail("expected " + what + " but found " + Lexer::describe(tok_));
    Token id = tok_;
    advance();
    while (id.quoted && tok_.kind == Tok::kPlus) {
      advance();
      if (tok_.kind != Tok::kId || !tok_.quoted) fail("'+' must join two double-quoted strings");
      id.text += tok_.text;
      advance();
    }
    return id;
  }

  void parseHeader() {
    if (tok_.kind == Tok::kEnd) fail("empty input: expected 'digraph NAME { ... }' or 'graph NAME { ... }'");
    if (isKeyword("strict")) fail("'strict' graphs are not supported: in grove parallel edges add up");
    if (isKeyword("digraph")) {
      directed_ = true;
    } else if (!isKeyword("graph")) {
      fail("expected 'digraph' or 'graph' but found " + Lexer::describe(tok_));
    }
    advance();
    if (tok_.kind == Tok::kId) name_ = takeId("the graph name").text;
    expect(Tok::kLBrace, "'{' after the graph header");
  }

  // stmt_list: statements separated by optional ';' up to (not including) the closing '}'.
  void parseStatements(Scope& scope, int depth) {
    if (depth > kMaxDepth) fail("subgraphs are nested more than " + std::to_string(kMaxDepth) + " deep");
    while (tok_.kind != Tok::kRBrace) {
      if (tok_.kind == Tok::kEnd) fail("the input ends before the closing '}'");
      if (tok_.kind == Tok::kSemi) {
        advance();
        continue;
      }
      parseStatement(scope, depth);
    }
  }

  void parseStatement(Scope& scope, int depth) {
    int line = tok_.line;
    if (isKeyword("node") || isKeyword("edge") || isKeyword("graph")) {
      std::string which = lower(tok_.text);
      advance();
      if (tok_.kind != Tok::kLBracket) fail("'" + which + "' must be followed by an attribute list '[...]'");
      if (which == "node")
        parseNodeAttrs(scope.node, "default node attributes");
      else if (which == "edge")
        parseEdgeAttrs(scope.edge);
      else
        skipAttrs();
      return;
    }
    if (isKeyword("subgraph") || tok_.kind == Tok::kLBrace) {
      parseSubgraph(scope, depth);
      if (tok_.kind == Tok::kArrow || tok_.kind == Tok::kDashDash)
        fail("subgraphs as edge endpoints are not supported; write one edge per pair of nodes");
      return;
    }
    if (tok_.kind == Tok::kId && isKeywordText(tok_))
      fail("'" + tok_.text + "' is a DOT keyword; put it in double quotes to use it as a name");
    Token first = takeId("a statement");
    if (tok_.kind == Tok::kEqual) {  // graph attribute such as rankdir=LR: drawing only
      advance();
      takeId("a value after '='");
      return;
    }
    skipPort();
    if (tok_.kind == Tok::kArrow || tok_.kind == Tok::kDashDash) {
      parseEdgeChain(scope, first, line);
      return;
    }
    int id = mention(first, scope);
    if (tok_.kind == Tok::kLBracket) {
      NodeAttrs explicitAttrs;
      parseNodeAttrs(explicitAttrs, "node '" + first.text + "'");
      applyNodeAttrs(nodes_[id], explicitAttrs);
    }
  }

  void parseSubgraph(Scope& scope, int depth) {
    if (isKeyword("subgraph")) {
      advance();
      if (tok_.kind == Tok::kId) takeId("the subgraph name");
    }
    expect(Tok::kLBrace, "'{' opening the subgraph");
    Scope inner = scope;
    parseStatements(inner, depth + 1);
    expect(Tok::kRBrace, "'}' closing the subgraph");
  }

  // Ports (a:p:n) only place edge ends in a drawing; they are accepted and ignored.
  void skipPort() {
    for (int i = 0; i < 2 && tok_.kind == Tok::kColon; ++i) {
      advance();
      takeId("a port name after ':'");
    }
  }

  void parseEdgeChain(const Scope& scope, const Token& first, int line) {
    std::vector<Token> ends{first};
    while (tok_.kind == Tok::kArrow || tok_.kind == Tok::kDashDash) {
      if (tok_.kind == Tok::kArrow && !directed_)
        fail("'->' in an undirected 'graph'; use '--' or 'digraph'");
      if (tok_.kind == Tok::kDashDash && directed_)
        fail("'--' in a 'digraph'; use '->' (or 'graph' for links in both directions)");
      advance();
      if (tok_.kind == Tok::kLBrace || isKeyword("subgraph"))
        fail("subgraphs as edge endpoints are not supported; write one edge per pair of nodes");
      if (tok_.kind == Tok::kId && isKeywordText(tok_))
        fail("'" + tok_.text + "' is a DOT keyword; put it in double quotes to use it as a name");
      ends.push_back(takeId("a node name after the edge operator"));
      skipPort();
    }
    EdgeAttrs attrs = scope.edge;
    if (tok_.kind == Tok::kLBracket) parseEdgeAttrs(attrs);
    if (!attrs.bw) fail("edge without bandwidth: add [bw=GBPS] (GB/s in each direction of the edge)", line);
    std::vector<int> ids;
    for (const Token& end : ends) ids.push_back(mention(end, scope));
    for (std::size_t i = 0; i + 1 < ids.size(); ++i) {
      if (ids[i] == ids[i + 1]) fail("edge from '" + nodes_[ids[i]].name + "' to itself", ends[i].line);
      edges_.push_back(PendingEdge{ids[i], ids[i + 1], *attrs.bw, ends[i + 1].line});
      if (!directed_) edges_.push_back(PendingEdge{ids[i + 1], ids[i], *attrs.bw, ends[i + 1].line});
    }
  }

  // Visits an attribute list (several '[...]' may follow each other); `onAttr` gets key, value, line.
  template <class F>
  void forEachAttr(F onAttr) {
    while (tok_.kind == Tok::kLBracket) {
      advance();
      while (tok_.kind != Tok::kRBracket) {
        if (tok_.kind == Tok::kSemi || tok_.kind == Tok::kComma) {
          advance();
          continue;
        }
        Token key = takeId("an attribute name or ']'");
        expect(Tok::kEqual, "'=' after attribute '" + key.text + "'");
        Token value = takeId("a value for attribute '" + key.text + "'");
        onAttr(key, value);
      }
      advance();
    }
  }
  void skipAttrs() {
    forEachAttr([](const Token&, const Token&) {});
  }

  void parseNodeAttrs(NodeAttrs& out, const std::string& subject) {
    forEachAttr([&](const Token& key, const Token& value) {
      if (key.text == "kind") {
        if (value.text == "compute")
          out.kind = NodeKind::kCompute;
        else if (value.text == "switch")
          out.kind = NodeKind::kSwitch;
        else
          fail("unknown node kind '" + value.text + "' for " + subject + ": use compute or switch",
               value.line);
        out.kindLine = value.line;
      } else if (key.text == "rank") {
        out.rank = parseRank(value);
        out.rankLine = value.line;
      } else if (key.text == "bw") {
        fail("'bw' belongs on edges, not on " + subject, key.line);
      }
    });
  }

  void parseEdgeAttrs(EdgeAttrs& out) {
    forEachAttr([&](const Token& key, const Token& value) {
      if (key.text == "bw") {
        std::string_view text = value.text;
        bool negative = !text.empty() && text.front() == '-';
        if (negative) text.remove_prefix(1);
        auto bw = parseRationalText(text);
        if (!bw)
          fail("bw=" + value.text.substr(0, 40) +
                   " is not a bandwidth: write GB/s as a decimal such as 12.5 or " +
                   "a quoted fraction such as \"400/3\", at most 1e9 with at most 9 decimal places",
               value.line);
        if (negative || *bw <= 0) fail("bw=" + value.text + " is not positive", value.line);
        out.bw = *bw;
      } else if (key.text == "kind" || key.text == "rank") {
        fail("'" + key.text + "' belongs on nodes, not on edges", key.line);
      }
    });
  }

  int parseRank(const Token& value) {
    const std::string& s = value.text;
    bool digits = !s.empty() && s.size() <= 8 &&
                  std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
    int rank = digits ? std::stoi(s) : -1;
    if (rank < 0 || rank > kMaxRank)
      fail("rank=" + s.substr(0, 40) + " is not a non-negative integer", value.line);
    return rank;
  }

  // Finds a node by name, creating it with the scope's default attributes on first use (DOT semantics).
  int mention(const Token& name, const Scope& scope) {
    if (name.text.empty()) fail("node names cannot be empty", name.line);
    auto [it, inserted] = byName_.emplace(name.text, static_cast<int>(nodes_.size()));
    if (inserted) nodes_.push_back(PendingNode{name.text, name.line, scope.node});
    return it->second;
  }

  void applyNodeAttrs(PendingNode& node, const NodeAttrs& attrs) {
    if (attrs.kind) {
      if (node.attrs.kind && *node.attrs.kind != *attrs.kind)
        fail("node '" + node.name + "' was made " + kindName(*node.attrs.kind) + " on line " +
                 std::to_string(node.attrs.kindLine) + " and is now made " + kindName(*attrs.kind),
             attrs.kindLine);
      node.attrs.kind = attrs.kind;
      node.attrs.kindLine = attrs.kindLine;
    }
    if (attrs.rank) {
      if (node.attrs.rank && *node.attrs.rank != *attrs.rank)
        fail("node '" + node.name + "' got rank " + std::to_string(*node.attrs.rank) + " on line " +
                 std::to_string(node.attrs.rankLine) + " and now rank " + std::to_string(*attrs.rank),
             attrs.rankLine);
      node.attrs.rank = attrs.rank;
      node.attrs.rankLine = attrs.rankLine;
    }
  }

  Topology build() {
    int computeCount = 0;
    for (const PendingNode& n : nodes_) {
      if (!n.attrs.kind)
        fail("node '" + n.name + "' is used here but never declared with [kind=compute] or [kind=switch] " +
                 "(or a default 'node [kind=...]' before its first use)",
             n.firstLine);
      if (*n.attrs.kind == NodeKind::kCompute) ++computeCount;
    }
    std::map<int, const PendingNode*> byRank;
    for (const PendingNode& n : nodes_) {
      if (!n.attrs.rank) continue;
      if (*n.attrs.kind == NodeKind::kSwitch)
        fail("switch '" + n.name + "' cannot have a rank; only compute nodes are ranks", n.attrs.rankLine);
      auto [it, inserted] = byRank.emplace(*n.attrs.rank, &n);
      if (!inserted)
        fail("rank " + std::to_string(*n.attrs.rank) + " is given to both '" + it->second->name + "' (line " +
                 std::to_string(it->second->attrs.rankLine) + ") and '" + n.name + "'",
             n.attrs.rankLine);
      if (*n.attrs.rank >= computeCount)
        fail("rank " + std::to_string(*n.attrs.rank) + " of '" + n.name + "' is out of range: there are " +
                 std::to_string(computeCount) + " compute nodes, so ranks are 0.." +
                 std::to_string(computeCount - 1),
             n.attrs.rankLine);
    }
    Topology topo;
    if (!name_.empty()) topo.name = name_;
    for (const PendingNode& n : nodes_) topo.addNode(n.name, *n.attrs.kind, n.attrs.rank.value_or(-1));
    for (const PendingEdge& e : edges_) topo.addLink(e.src, e.dst, e.bw);
    topo.finalizeRanks();
    return topo;
  }

  Lexer lexer_;
  Token tok_;
  bool directed_ = false;
  std::string name_;
  std::vector<PendingNode> nodes_;
  std::unordered_map<std::string, int> byName_;
  std::vector<PendingEdge> edges_;
};

}  // namespace

Topology parseDot(std::string_view text, const std::string& sourceName) {
  try {
    return Parser(text).parse();
  } catch (const TopologyError& e) {
    throw TopologyError(e.detail(), e.line(), sourceName);
  }
}

Topology readDotFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw TopologyError("cannot open topology file '" + path + "'");
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) throw TopologyError("cannot read topology file '" + path + "'");
  return parseDot(text.str(), path);
}

}  // namespace grove::sched
