/// @file bootstrap.hpp
/// Rank discovery and out-of-band exchange for setting up a communicator.
///
/// groveGetUniqueId() (or TcpBootstrap::createUniqueId()) starts a short-lived root listener on the
/// calling process and returns an id holding its address and a random 128-bit secret. Every rank
/// connects to the root, proves it knows the secret, and learns every other rank's address; ranks then
/// connect to each other directly (a full mesh of TCP connections), again proving the secret. A
/// connection with a wrong secret or garbage bytes is dropped without disturbing the ranks that belong.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "grove/grove.h"

namespace grove {

/// Out-of-band exchange between the ranks of one communicator (setup only; not a data path).
class Bootstrap {
 public:
  virtual ~Bootstrap() = default;
  /// This process's rank.
  virtual int rank() const = 0;
  /// Number of ranks.
  virtual int size() const = 0;
  /// Sends `bytes` to `peer`; messages between a pair arrive in order.
  virtual void send(int peer, const void* data, std::size_t bytes) = 0;
  /// Receives exactly `bytes` from `peer`.
  virtual void recv(int peer, void* data, std::size_t bytes) = 0;
  /// `all` holds size()*bytesPerRank bytes; this rank's block is at rank()*bytesPerRank on entry; on
  /// return every block is filled.
  virtual void allGather(void* all, std::size_t bytesPerRank) = 0;
  /// Returns when every rank has entered the barrier.
  virtual void barrier() = 0;
  /// Process id of every rank (same host only), exchanged at setup.
  virtual const std::vector<int>& pids() const = 0;
  /// Host identity of every rank: ranks with equal values share memory.
  virtual const std::vector<std::uint64_t>& hostIds() const = 0;
};

/// Bootstrap over TCP: full mesh, authenticated by the unique id's secret. Every wait is bounded by
/// GROVE_TIMEOUT_MS; failures throw grove::Error.
class TcpBootstrap : public Bootstrap {
 public:
  /// Starts the root listener in a background thread of this process and describes it.
  static groveUniqueId createUniqueId();
  /// Joins as `rank` of `nranks`; returns when every rank is connected to every other.
  TcpBootstrap(int rank, int nranks, const groveUniqueId& id);
  ~TcpBootstrap() override;

  int rank() const override;
  int size() const override;
  void send(int peer, const void* data, std::size_t bytes) override;
  void recv(int peer, void* data, std::size_t bytes) override;
  void allGather(void* all, std::size_t bytesPerRank) override;
  void barrier() override;
  const std::vector<int>& pids() const override;
  const std::vector<std::uint64_t>& hostIds() const override;
  /// "ip:port" of the root listener an id points at (for diagnostics and tests).
  static std::string rootAddress(const groveUniqueId& id);
  /// True when `peer`'s connection reports the peer gone (non-blocking check).
  bool peerGone(int peer) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace grove
