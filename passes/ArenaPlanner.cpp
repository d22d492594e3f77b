//===- ArenaPlanner.cpp - packing buffers into one arena ------------------===//
//
// The offline interval-packing heuristic of TFLite's and Glow's planners:
// sort the buffers, then place each in the first gap between the placed
// buffers it conflicts with; several sort orders are tried.
//
//===----------------------------------------------------------------------===//

#include "passes/ArenaPlanner.h"

#include <algorithm>
#include <functional>
#include <tuple>
#include <numeric>

using namespace nnc;

static int64_t alignUp(int64_t value, int64_t alignment) {
  return (value + alignment - 1) / alignment * alignment;
}

/// Places the buffers in `order`, each at the lowest aligned offset where it
/// overlaps no placed buffer live at the same time.
static ArenaPlan placeInOrder(const std::vector<BufferLifetime> &buffers,
                              const std::vector<size_t> &order, int64_t alignment) {
  ArenaPlan plan;
  plan.offsets.assign(buffers.size(), 0);
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

ArenaPlan nnc::planArena(const std::vector<BufferLifetime> &buffers, int64_t alignment) {
  // Three orders, the smallest plan wins: largest first (TFLite, Glow),
  // earliest first (ties largest first), and largest size x lifetime first.
  // Each is a total order (the index breaks ties), so the plan is
  // deterministic.
  auto lifetime = [&](size_t i) { return buffers[i].lastUse - buffers[i].firstUse + 1; };
  using Key = std::function<std::tuple<int64_t, int64_t>(size_t)>;
  const Key keys[] = {
      [&](size_t i) { return std::make_tuple(-buffers[i].bytes, buffers[i].firstUse); },
      [&](size_t i) { return std::make_tuple(buffers[i].firstUse, -buffers[i].bytes); },
      [&](size_t i) { return std::make_tuple(-buffers[i].bytes * lifetime(i), int64_t(0)); },
  };
  ArenaPlan best;
  bool first = true;
  for (const Key &key : keys) {
    std::vector<size_t> order(buffers.size());
    std::iota(order.begin(), order.end(), 0);
    std::sort(order.begin(), order.end(), [&](size_t a, size_t b) {
      return std::make_tuple(key(a), a) < std::make_tuple(key(b), b);
    });
    ArenaPlan plan = placeInOrder(buffers, order, alignment);
    if (first || plan.arenaBytes < best.arenaBytes)
      best = std::move(plan);
    first = false;
  }
  return best;
}
