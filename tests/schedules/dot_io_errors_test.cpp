// parseDot on invalid input: each error is a TopologyError naming the right line and the problem.
#include <gtest/gtest.h>

#include "schedules/dot_io.hpp"
#include "topology_test_util.hpp"

namespace grove::sched {
namespace {

struct BadInput {
  const char* name;
  const char* text;
  int line;
  const char* says;  // a fragment the message must contain
};

// Line numbers count from 1; the header is line 1 unless the text says otherwise.
const BadInput kBadInputs[] = {
    {"empty", "", 1, "empty input"},
    {"only_comment", "// nothing\n", 2, "empty input"},
    {"no_header", "\n\nnode a;", 3, "expected 'digraph' or 'graph'"},
    {"strict", "strict digraph {}", 1, "strict"},
    {"unknown_kind", "digraph g {\n a [kind=compute];\n b [kind=gpu];\n}", 3, "unknown node kind 'gpu'"},
    {"missing_bw", "digraph g {\n a [kind=compute];\n b [kind=switch];\n a -> b;\n}", 4,
     "edge without bandwidth"},
    {"missing_bw_multiline_edge",
     "digraph g {\n a [kind=compute];\n b [kind=switch];\n a\n -> b\n [color=red];\n}", 4,
     "edge without bandwidth"},
    {"zero_bw", "digraph g {\n a [kind=compute];\n b [kind=compute];\n a -> b [bw=0];\n}", 4, "not positive"},
    {"negative_bw", "digraph g {\n a [kind=compute];\n b [kind=compute];\n a -> b [bw=-2.5];\n}", 4,
     "not positive"},
    {"text_bw", "digraph g {\n a [kind=compute];\n b [kind=compute];\n a -> b [bw=fast];\n}", 4,
     "is not a bandwidth"},
    {"too_precise_bw", "digraph g {\n a [kind=compute];\n b [kind=compute];\n a -> b [bw=1.0000000001];\n}",
     4, "is not a bandwidth"},
    {"huge_bw", "digraph g {\n a [kind=compute];\n b [kind=compute];\n a -> b [bw=99999999999999999999];\n}",
     4, "is not a bandwidth"},
    {"bw_value_on_own_line", "digraph g {\n a [kind=compute]; b [kind=compute];\n a -> b [bw=\n\n x];\n}", 5,
     "bw=x"},
    {"undeclared_node_in_edge", "digraph g {\n a [kind=compute];\n\n a -> c [bw=1];\n}", 4,
     "node 'c' is used here but never declared"},
    {"node_without_kind", "digraph g {\n a;\n}", 2, "never declared with [kind=compute]"},
    {"duplicate_rank", "digraph g {\n a [kind=compute, rank=0];\n b [kind=compute,\n   rank=0];\n}", 4,
     "rank 0 is given to both 'a' (line 2) and 'b'"},
    {"rank_out_of_range", "digraph g {\n a [kind=compute];\n b [kind=compute, rank=5];\n}", 3,
     "out of range"},
    {"negative_rank", "digraph g {\n a [kind=compute, rank=-1];\n}", 2, "not a non-negative integer"},
    {"switch_with_rank", "digraph g {\n a [kind=compute];\n s [kind=switch, rank=1];\n}", 3,
     "cannot have a rank"},
    {"kind_changes", "digraph g {\n a [kind=compute];\n a [kind=switch];\n}", 3,
     "was made compute on line 2"},
    {"rank_changes", "digraph g {\n a [kind=compute, rank=0];\n a [rank=1];\n}", 3, "got rank 0 on line 2"},
    {"self_loop", "digraph g {\n a [kind=compute];\n a -> a [bw=1];\n}", 3, "to itself"},
    {"arrow_in_graph", "graph g {\n a [kind=compute]; b [kind=compute];\n a -> b [bw=1];\n}", 3,
     "'->' in an undirected"},
    {"dashdash_in_digraph", "digraph g {\n a [kind=compute]; b [kind=compute];\n a -- b [bw=1];\n}", 3,
     "'--' in a 'digraph'"},
    {"unterminated_string", "digraph g {\n a [label=\"oops];\n}\n", 2, "never closed"},
    {"unterminated_comment", "digraph g {\n a [kind=compute];\n /* forgotten\n\n}\n", 3, "never closed"},
    {"unterminated_html", "digraph g {\n a [label=<<b>;\n}\n", 2, "never closed"},
    {"missing_close_brace", "digraph g {\n a [kind=compute];\n", 3, "ends before the closing '}'"},
    {"bad_character", "digraph g {\n a [kind=compute];\n a @ b\n}", 3, "unexpected character '@'"},
    {"control_byte", "digraph g {\n a [kind=compute];\n\x01\n}", 3, "byte 0x01"},
    {"trailing_text", "digraph g {\n a [kind=compute];\n}\ndigraph h {}\n", 4, "after the end of the graph"},
    {"keyword_as_name", "digraph g {\n a [kind=compute];\n a -> edge [bw=1];\n}", 3, "is a DOT keyword"},
    {"node_without_attr_list", "digraph g {\n node;\n}", 2, "must be followed by an attribute list"},
    {"bw_on_node", "digraph g {\n a [kind=compute,\n bw=3];\n}", 3, "'bw' belongs on edges"},
    {"kind_on_edge", "digraph g {\n a [kind=compute]; b [kind=compute];\n a -> b [bw=1, kind=switch];\n}", 3,
     "belongs on nodes"},
    {"missing_equals", "digraph g {\n a [kind compute];\n}", 2, "expected '=' after attribute 'kind'"},
    {"unclosed_attr_list", "digraph g {\n a [kind=compute\n}", 3, "expected an attribute name or ']'"},
    {"subgraph_endpoint", "digraph g {\n a [kind=compute];\n a -> {b c} [bw=1];\n}", 3,
     "subgraphs as edge endpoints"},
    {"number_then_letters", "digraph g {\n 2gpu [kind=compute];\n}", 2, "put names in double quotes"},
    {"lone_minus", "digraph g {\n a [kind=compute];\n a - b;\n}", 3, "is not a number"},
    {"empty_name", "digraph g {\n \"\" [kind=compute];\n}", 2, "cannot be empty"},
    {"plus_without_string", "digraph g {\n \"a\" + b [kind=compute];\n}", 2, "'+' must join"},
};

class DotIoErrors : public ::testing::TestWithParam<BadInput> {};

TEST_P(DotIoErrors, NamesTheLine) {
  const BadInput& bad = GetParam();
  TopologyError e = testing::expectTopologyError([&] { parseDot(bad.text, "bad.dot"); });
  EXPECT_EQ(e.line(), bad.line) << e.what();
  EXPECT_NE(std::string(e.what()).find(bad.says), std::string::npos) << e.what();
  EXPECT_EQ(std::string(e.what()).rfind("bad.dot:" + std::to_string(bad.line) + ": ", 0), 0u) << e.what();
}

INSTANTIATE_TEST_SUITE_P(All, DotIoErrors, ::testing::ValuesIn(kBadInputs),
                         [](const ::testing::TestParamInfo<BadInput>& info) {
                           return std::string(info.param.name);
                         });

TEST(DotIoErrorsDepth, DeepNestingIsAnErrorNotACrash) {
  std::string text = "digraph g {\n" + std::string(100000, '{') + "\n";
  TopologyError e = testing::expectTopologyError([&] { parseDot(text); });
  EXPECT_EQ(e.line(), 2);
  EXPECT_NE(std::string(e.what()).find("nested more than"), std::string::npos);
}

TEST(DotIoErrorsFile, MissingFileNamesThePath) {
  TopologyError e = testing::expectTopologyError([] { readDotFile("/nonexistent/t.dot"); });
  EXPECT_NE(std::string(e.what()).find("/nonexistent/t.dot"), std::string::npos);
}

}  // namespace
}  // namespace grove::sched
