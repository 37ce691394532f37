// writeDot -> parseDot gives back the same topology, and the exact number text form.
#include <fstream>

#include <gtest/gtest.h>

#include "schedules/dot_io.hpp"
#include "schedules/generators.hpp"
#include "topology_test_util.hpp"

namespace grove::sched {
namespace {

using testing::semantics;

TEST(DotIoRoundTrip, EveryGeneratorKind) {
  for (const std::string& kind : generatorKinds()) {
    GeneratorOptions opt;
    opt.boxes = 2;
    opt.oversubscription = Rational(3, 2);
    Topology t = generateTopology(kind, opt);
    Topology back = parseDot(writeDot(t));
    EXPECT_EQ(semantics(back), semantics(t)) << kind;
    EXPECT_EQ(back.name, t.name);
    EXPECT_EQ(writeDot(back), writeDot(t)) << kind;
  }
}

TEST(DotIoRoundTrip, SharedFilesAreReproducedByteForByte) {
  for (int boxes : {1, 2, 4}) {
    std::string path = (testing::dataDir() / ("dgx-a100-x" + std::to_string(boxes) + ".dot")).string();
    std::ifstream in(path);
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    EXPECT_EQ(writeDot(parseDot(text)), text) << path;
  }
}

TEST(DotIoRoundTrip, OddNamesRanksAndFractions) {
  Topology t;
  t.name = "graph";  // a keyword: must be quoted
  int a = t.addNode("gpu \"zero\"", NodeKind::kCompute, 1);
  int b = t.addNode("node", NodeKind::kCompute, 0);
  int s = t.addNode("9lives", NodeKind::kSwitch);
  int u = t.addNode("ünïcode\\n", NodeKind::kCompute, 2);
  t.addBidirectional(a, s, Rational(400, 3));
  t.addBidirectional(b, s, Rational(1, 8));
  t.addBidirectional(u, s, Rational(123456789, 1000));
  t.finalizeRanks();
  std::string text = writeDot(t);
  Topology back = parseDot(text);
  EXPECT_EQ(semantics(back), semantics(t)) << text;
  EXPECT_NE(text.find("bw=\"400/3\""), std::string::npos) << text;
  EXPECT_NE(text.find("rank=1"), std::string::npos) << text;
}

TEST(DotIoRoundTrip, UnwritableNameIsAnError) {
  Topology t;
  t.addNode("ends in backslash\\", NodeKind::kCompute);
  EXPECT_THROW(writeDot(t), TopologyError);
}

TEST(DotIoNumbers, FormatAndParseAreInverse) {
  const Rational values[] = {Rational(0),      Rational(300),           Rational(25, 2),     Rational(1, 8),
                             Rational(400, 3), Rational(1, 1000000000), Rational(999999999), Rational(7, 40)};
  for (const Rational& v : values) {
    auto back = parseRationalText(formatRational(v));
    ASSERT_TRUE(back.has_value()) << formatRational(v);
    EXPECT_EQ(*back, v) << formatRational(v);
  }
  EXPECT_EQ(formatRational(Rational(25, 2)), "12.5");
  EXPECT_EQ(formatRational(Rational(1, 8)), "0.125");
  EXPECT_EQ(formatRational(Rational(-1, 8)), "-0.125");
  EXPECT_EQ(formatRational(Rational(400, 3)), "400/3");
  EXPECT_EQ(formatRational(Rational(300)), "300");
}

TEST(DotIoNumbers, RejectsMalformedAndOutOfRange) {
  for (const char* bad : {"", ".", "-1", "1.2.3", "1e3", "abc", "1/0", "/3", "3/", "1.5/2", "1000000000",
                          "0.0000000001", "12 ", "99999999999999999999/3"})
    EXPECT_FALSE(parseRationalText(bad).has_value()) << bad;
  EXPECT_EQ(*parseRationalText("012.500"), Rational(25, 2));
  EXPECT_EQ(*parseRationalText("0.0000000010"), Rational(1, 1000000000));
  EXPECT_EQ(*parseRationalText("6/4"), Rational(3, 2));
}

}  // namespace
}  // namespace grove::sched
