#include "maxflow.hpp"

#include <algorithm>

namespace grove::sched {

void FlowNetwork::reset(int nodes) {
  head_.assign(static_cast<std::size_t>(nodes), -1);
  next_.clear();
  to_.clear();
  from_.clear();
  cap_.clear();
  flow_.clear();
}

int FlowNetwork::addArc(int a, int b, std::int64_t cap) {
  int id = static_cast<int>(to_.size());
  for (int k = 0; k < 2; ++k) {
    int tail = k == 0 ? a : b;
    int tip = k == 0 ? b : a;
    to_.push_back(tip);
    from_.push_back(tail);
    cap_.push_back(k == 0 ? cap : 0);
    flow_.push_back(0);
    next_.push_back(head_[tail]);
    head_[tail] = id + k;
  }
  return id;
}

void FlowNetwork::rollback(int m) {
  // Arcs are pushed at the front of their tail's list, so removing newest first restores the lists.
  while (static_cast<int>(to_.size()) > m) {
    int id = static_cast<int>(to_.size()) - 1;
    head_[from_[id]] = next_[id];
    to_.pop_back();
    from_.pop_back();
    cap_.pop_back();
    flow_.pop_back();
    next_.pop_back();
  }
}

void FlowNetwork::clearFlow() { std::fill(flow_.begin(), flow_.end(), 0); }

void FlowNetwork::restoreFlow(const std::vector<std::int64_t>& in) {
  std::copy(in.begin(), in.begin() + std::min(in.size(), flow_.size()), flow_.begin());
  std::fill(flow_.begin() + std::min(in.size(), flow_.size()), flow_.end(), 0);
}

std::int64_t FlowNetwork::valueInto(int t) const {
  std::int64_t v = 0;
  for (int e = head_[t]; e != -1; e = next_[e]) v -= flow_[e];
  return v;
}

bool FlowNetwork::buildLevels(int s, int t) {
  level_.assign(head_.size(), -1);
  queue_.clear();
  queue_.push_back(s);
  level_[s] = 0;
  for (std::size_t qi = 0; qi < queue_.size(); ++qi) {
    int v = queue_[qi];
    for (int e = head_[v]; e != -1; e = next_[e]) {
      int w = to_[e];
      if (level_[w] < 0 && cap_[e] - flow_[e] > 0) {
        level_[w] = level_[v] + 1;
        if (w == t) return true;  // deeper levels cannot lie on a shortest path
        queue_.push_back(w);
      }
    }
  }
  return level_[t] >= 0;
}

std::int64_t FlowNetwork::push(int v, int t, std::int64_t limit) {
  if (v == t) return limit;
  // Pushes as much as possible through v in one visit; a node that cannot pass anything is cut off for
  // the rest of the phase so later paths do not probe it again.
  std::int64_t pushed = 0;
  for (int& e = iter_[v]; e != -1; e = next_[e]) {
    int w = to_[e];
    std::int64_t room = cap_[e] - flow_[e];
    if (room <= 0 || level_[w] != level_[v] + 1) continue;
    if (level_[w] > level_[t] || (level_[w] == level_[t] && w != t)) continue;
    std::int64_t got = push(w, t, std::min(limit - pushed, room));
    if (got > 0) {
      flow_[e] += got;
      flow_[e ^ 1] -= got;
      pushed += got;
      if (pushed == limit) return pushed;  // the arc may still have room: keep iter_ on it
    }
  }
  level_[v] = -1;
  return pushed;
}

std::int64_t FlowNetwork::augment(int s, int t, std::int64_t limit) {
  std::int64_t total = valueInto(t);
  if (s == t) return limit;
  while (total < limit && buildLevels(s, t)) {
    iter_.assign(head_.begin(), head_.end());
    std::int64_t got = push(s, t, limit - total);
    if (got == 0) break;
    total += got;
  }
  return total;
}

void FlowNetwork::sourceSide(int s, std::vector<char>& side) const {
  side.assign(head_.size(), 0);
  std::vector<int> stack{s};
  side[s] = 1;
  while (!stack.empty()) {
    int v = stack.back();
    stack.pop_back();
    for (int e = head_[v]; e != -1; e = next_[e])
      if (!side[to_[e]] && cap_[e] - flow_[e] > 0) {
        side[to_[e]] = 1;
        stack.push_back(to_[e]);
      }
  }
}

}  // namespace grove::sched
