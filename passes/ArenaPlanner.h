//===- ArenaPlanner.h - packing buffers into one arena ----------*- C++ -*-===//
//
// Assigns each buffer an offset in a single arena so that buffers whose
// lifetimes overlap never overlap in memory. Lifetimes are closed intervals
// of program points. Plain data, no IR: PlanScratch computes the intervals.
//
//===----------------------------------------------------------------------===//

#ifndef NNC_PASSES_ARENAPLANNER_H
#define NNC_PASSES_ARENAPLANNER_H

#include <cstdint>
#include <vector>

namespace nnc {

struct BufferLifetime {
  int64_t bytes = 0;
  int64_t firstUse = 0; // first program point that reads or writes it
  int64_t lastUse = 0;  // last program point that reads or writes it
};

struct ArenaPlan {
  std::vector<int64_t> offsets; // one per buffer, multiples of the alignment
  int64_t arenaBytes = 0;       // a multiple of the alignment
};

/// Greedy packing: each buffer goes to the lowest aligned offset where it
/// overlaps no already placed buffer that is live at the same time, in each
/// of three orders (largest first, earliest first, largest size x lifetime
/// first); the smallest arena wins. Deterministic for a given input.
ArenaPlan planArena(const std::vector<BufferLifetime> &buffers, int64_t alignment);

} // namespace nnc

#endif // NNC_PASSES_ARENAPLANNER_H
