// CopyTuner: how rank 0 of ranks that share cores picks between single copies and the handoff in cache
// from the times of earlier calls (collectives/copy_choice.hpp).
#include "collectives/copy_choice.hpp"

#include <gtest/gtest.h>

namespace grove::coll {
namespace {

constexpr std::size_t kBlock = 1 << 20;

// Feeds the tuner calls where single copies take `single` and the handoff `handoff` ns, `calls` times;
// returns how many of them took the handoff.
int run(CopyTuner& t, int calls, double single, double handoff) {
  int handoffs = 0;
  for (int i = 0; i < calls; ++i) {
    const bool h = t.preferHandoff(kBlock);
    handoffs += h;
    t.record(kBlock, h, h ? handoff : single);
  }
  return handoffs;
}

TEST(CopyTuner, TriesBothThenKeepsTheFasterAndExploresRarely) {
  CopyTuner t;
  EXPECT_FALSE(t.preferHandoff(kBlock));  // nothing known: single copies first
  t.record(kBlock, false, 1000);
  EXPECT_TRUE(t.preferHandoff(kBlock));  // then the handoff once
  t.record(kBlock, true, 400);
  // The handoff is faster: it is taken, except one call in kExploreEvery.
  const int calls = 10 * static_cast<int>(CopyTuner::kExploreEvery);
  EXPECT_EQ(run(t, calls, 1000, 400), calls - 10);
}

TEST(CopyTuner, FollowsTheMachineWhenTheFasterWaySlowsDown) {
  CopyTuner t;
  run(t, 100, 1000, 400);  // near: the handoff wins
  // Far: the handoff becomes 3x slower than single copies; one slow call is enough to switch.
  const int calls = static_cast<int>(CopyTuner::kExploreEvery);
  EXPECT_LE(run(t, calls, 1000, 3000), 2);
  // Near again: found at the next exploration at the latest.
  EXPECT_GE(run(t, 2 * calls, 1000, 400), calls - 2);
}

TEST(CopyTuner, SizesAreKeptApart) {
  CopyTuner t;
  run(t, 100, 1000, 400);                   // 1 MiB blocks: handoff
  EXPECT_FALSE(t.preferHandoff(64 << 10));  // 64 KiB blocks: nothing known yet, single copies first
}

}  // namespace
}  // namespace grove::coll
