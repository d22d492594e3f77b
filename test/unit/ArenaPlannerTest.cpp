//===- ArenaPlannerTest.cpp - unit tests of the arena planner -------------===//
//
// Checks the invariant on hand-made and random inputs (buffers live at the
// same time never overlap), reuse where lifetimes are disjoint, alignment,
// and that the arena is never larger than the sum of the buffers.
//
//===----------------------------------------------------------------------===//

#include "passes/ArenaPlanner.h"

#include <gtest/gtest.h>

#include <random>

using nnc::ArenaPlan;
using nnc::BufferLifetime;
using nnc::planArena;

/// True when no two buffers that are live together share a byte.
static bool respectsLifetimes(const std::vector<BufferLifetime> &buffers,
                              const ArenaPlan &plan) {
  for (size_t a = 0; a < buffers.size(); ++a)
    for (size_t b = a + 1; b < buffers.size(); ++b) {
      bool liveTogether = buffers[a].firstUse <= buffers[b].lastUse &&
                          buffers[b].firstUse <= buffers[a].lastUse;
      bool overlap = plan.offsets[a] < plan.offsets[b] + buffers[b].bytes &&
                     plan.offsets[b] < plan.offsets[a] + buffers[a].bytes;
      if (liveTogether && overlap)
        return false;
    }
  return true;
}

TEST(ArenaPlanner, DisjointLifetimesShareMemory) {
  // A chain: each buffer is read by the next op only.
  std::vector<BufferLifetime> chain{{1000, 0, 1}, {1000, 1, 2}, {1000, 2, 3}, {1000, 3, 4}};
  ArenaPlan plan = planArena(chain, 64);
  EXPECT_TRUE(respectsLifetimes(chain, plan));
  // Two buffers are live at every point, so two slots suffice.
  EXPECT_EQ(plan.arenaBytes, 2 * 1024);
}

TEST(ArenaPlanner, OverlappingLifetimesDoNotShare) {
  std::vector<BufferLifetime> buffers{{100, 0, 10}, {200, 5, 6}, {300, 6, 12}};
  ArenaPlan plan = planArena(buffers, 64);
  EXPECT_TRUE(respectsLifetimes(buffers, plan));
  EXPECT_EQ(plan.arenaBytes, 128 + 256 + 320);
}

TEST(ArenaPlanner, OffsetsAreAligned) {
  std::vector<BufferLifetime> buffers{{3, 0, 5}, {5, 0, 5}, {7, 0, 5}};
  ArenaPlan plan = planArena(buffers, 64);
  for (int64_t offset : plan.offsets)
    EXPECT_EQ(offset % 64, 0);
  EXPECT_EQ(plan.arenaBytes % 64, 0);
  EXPECT_TRUE(respectsLifetimes(buffers, plan));
}

TEST(ArenaPlanner, EmptyInput) {
  ArenaPlan plan = planArena({}, 64);
  EXPECT_EQ(plan.arenaBytes, 0);
  EXPECT_TRUE(plan.offsets.empty());
}

TEST(ArenaPlanner, RandomGraphsKeepTheInvariant) {
  std::mt19937 random(12345);
  for (int round = 0; round < 200; ++round) {
    std::vector<BufferLifetime> buffers;
    int64_t sum = 0;
    int count = 1 + random() % 40;
    for (int i = 0; i < count; ++i) {
      int64_t first = random() % 50;
      int64_t bytes = 1 + random() % 5000;
      buffers.push_back({bytes, first, first + int64_t(random() % 20)});
      sum += (bytes + 63) / 64 * 64;
    }
    ArenaPlan plan = planArena(buffers, 64);
    ASSERT_TRUE(respectsLifetimes(buffers, plan)) << "round " << round;
    EXPECT_LE(plan.arenaBytes, sum);
    // Never smaller than the bytes live at the busiest point.
    for (int64_t point = 0; point < 70; ++point) {
      int64_t live = 0;
      for (const BufferLifetime &b : buffers)
        if (b.firstUse <= point && point <= b.lastUse)
          live += b.bytes;
      EXPECT_GE(plan.arenaBytes, live);
    }
  }
}
