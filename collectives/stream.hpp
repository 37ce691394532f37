/// @file stream.hpp
/// groveStream_t: an in-order queue of operations run by one progress thread, so communication
/// overlaps the caller's compute.
#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>

#include "grove/grove.h"

/// The object behind groveStream_t.
struct groveStream {
  groveStream();
  ~groveStream();
  /// Queues `task`; returns groveSuccess (errors surface in synchronize/query).
  groveResult_t enqueue(std::function<groveResult_t()> task);
  /// Waits for the queue to drain; returns and clears the first error.
  groveResult_t synchronize();
  /// groveInProgress while work is pending; otherwise the first error, without clearing it.
  groveResult_t query();

 private:
  void loop();
  std::mutex mutex_;
  std::condition_variable wake_, idle_;
  std::deque<std::function<groveResult_t()>> queue_;
  bool running_ = false;
  bool stop_ = false;
  groveResult_t firstError_ = groveSuccess;
  std::thread thread_;
};
