// DESIGN.md §5 promises files "readable by Boost.Graph": read what writeDot() produces with
// boost::read_graphviz and compare with the model.
#include <gtest/gtest.h>

#include <boost/graph/adjacency_list.hpp>
#include <boost/graph/graphviz.hpp>
#include <sstream>
#include <string>

#include "schedules/dot_io.hpp"
#include "schedules/generators.hpp"

namespace grove::sched {
namespace {

struct VertexProps {
  std::string name, kind;
};
struct EdgeProps {
  std::string bw;
};
using BoostGraph = boost::adjacency_list<boost::vecS, boost::vecS, boost::directedS, VertexProps, EdgeProps>;

TEST(DotIoBoostCompat, ReadGraphvizReadsOurOutput) {
  GeneratorOptions opt;
  opt.boxes = 2;
  opt.oversubscription = Rational(3);  // fat-tree gets quoted fractions
  for (const std::string& kind : {std::string("dgx-a100"), std::string("fat-tree")}) {
    Topology t = generateTopology(kind, opt);
    BoostGraph g;
    boost::dynamic_properties dp(boost::ignore_other_properties);
    dp.property("node_id", boost::get(&VertexProps::name, g));
    dp.property("kind", boost::get(&VertexProps::kind, g));
    dp.property("bw", boost::get(&EdgeProps::bw, g));
    std::istringstream in(writeDot(t));
    ASSERT_TRUE(boost::read_graphviz(in, g, dp)) << kind;
    ASSERT_EQ(static_cast<int>(boost::num_vertices(g)), t.nodeCount()) << kind;
    ASSERT_EQ(boost::num_edges(g), t.links().size()) << kind;
    for (auto v : boost::make_iterator_range(boost::vertices(g))) {
      int id = t.findNode(g[v].name);
      ASSERT_GE(id, 0) << g[v].name;
      EXPECT_EQ(g[v].kind, t.isCompute(id) ? "compute" : "switch");
    }
    for (auto e : boost::make_iterator_range(boost::edges(g)))
      EXPECT_TRUE(parseRationalText(g[e].bw).has_value()) << g[e].bw;
  }
}

}  // namespace
}  // namespace grove::sched
