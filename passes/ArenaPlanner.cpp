//===- ArenaPlanner.cpp - packing buffers into one arena ------------------===//
//
// The offline interval-packing heuristic of TFLite's and Glow's planners:
// sort by size (ties by first use), then place each buffer in the first gap
// between the placed buffers it conflicts with.
//
//===----------------------------------------------------------------------===//

#include "passes/ArenaPlanner.h"

#include <algorithm>
#include <numeric>

using namespace nnc;

static int64_t alignUp(int64_t value, int64_t alignment) {
  return (value + alignment - 1) / alignment * alignment;
}

ArenaPlan nnc::planArena(const std::vector<BufferLifetime> &buffers, int64_t alignment) {
  ArenaPlan plan;
  plan.offsets.assign(buffers.size(), 0);
  std::vector<size_t> order(buffers.size());
  std::iota(order.begin(), order.end(), 0);
  // A total order (index breaks ties) keeps the plan deterministic.
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    if (buffers[a].bytes != buffers[b].bytes)
      return buffers[a].bytes > buffers[b].bytes;
    if (buffers[a].firstUse != buffers[b].firstUse)
      return buffers[a].firstUse < buffers[b].firstUse;
    return a < b;
  });
  std::vector<size_t> placed;
  for (size_t index : order) {
    const BufferLifetime &buffer = buffers[index];
    // The placed buffers live at the same time, by offset.
    std::vector<size_t> conflicts;
    for (size_t other : placed)
      if (buffers[other].firstUse <= buffer.lastUse &&
          buffer.firstUse <= buffers[other].lastUse)
        conflicts.push_back(other);
    std::sort(conflicts.begin(), conflicts.end(),
              [&](size_t a, size_t b) { return plan.offsets[a] < plan.offsets[b]; });
    int64_t offset = 0;
    for (size_t other : conflicts) {
      if (offset + buffer.bytes <= plan.offsets[other])
        break; // fits in the gap before `other`
      offset = std::max(offset,
                        alignUp(plan.offsets[other] + buffers[other].bytes, alignment));
    }
    plan.offsets[index] = offset;
    plan.arenaBytes = std::max(plan.arenaBytes, alignUp(offset + buffer.bytes, alignment));
    placed.push_back(index);
  }
  return plan;
}
