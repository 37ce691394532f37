#include "collectives/stream.hpp"

groveStream::groveStream() : thread_([this] { loop(); }) {}

groveStream::~groveStream() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stop_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

groveResult_t groveStream::enqueue(std::function<groveResult_t()> task) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    queue_.push_back(std::move(task));
  }
  wake_.notify_one();
  return groveSuccess;
}

groveResult_t groveStream::synchronize() {
  std::unique_lock<std::mutex> lock(mutex_);
  idle_.wait(lock, [&] { return queue_.empty() && !running_; });
  groveResult_t r = firstError_;
  firstError_ = groveSuccess;
  return r;
}

groveResult_t groveStream::query() {
  std::unique_lock<std::mutex> lock(mutex_);
  if (!queue_.empty() || running_) return groveInProgress;
  return firstError_;  // reported again by synchronize(), which is what clears it
}

void groveStream::loop() {
  std::unique_lock<std::mutex> lock(mutex_);
  for (;;) {
    wake_.wait(lock, [&] { return stop_ || !queue_.empty(); });
    // Drain what is queued even when stopping: destroy means "synchronize, then free".
    if (queue_.empty()) return;
    auto task = std::move(queue_.front());
    queue_.pop_front();
    running_ = true;
    lock.unlock();
    groveResult_t r = task();
    lock.lock();
    running_ = false;
    if (r != groveSuccess && firstError_ == groveSuccess) firstError_ = r;
    if (queue_.empty()) idle_.notify_all();
  }
}
