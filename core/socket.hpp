/// @file socket.hpp
/// Small TCP helpers with deadlines, used by the bootstrap. Internal to core/.
#pragma once

#include <netinet/in.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>

namespace grove::net {

using Clock = std::chrono::steady_clock;

/// An IPv4 endpoint in network byte order, small enough to travel inside a unique id.
struct Endpoint {
  std::uint32_t addr = 0;
  std::uint16_t port = 0;
  std::string str() const;
};

/// A socket fd closed on destruction.
class Socket {
 public:
  Socket() = default;
  explicit Socket(int fd) : fd_(fd) {}
  Socket(Socket&& o) noexcept : fd_(o.release()) {}
  Socket& operator=(Socket&& o) noexcept;
  ~Socket() { close(); }
  int fd() const { return fd_; }
  bool valid() const { return fd_ >= 0; }
  int release() {
    int f = fd_;
    fd_ = -1;
    return f;
  }
  void close();

 private:
  int fd_ = -1;
};

/// The address the bootstrap listens on: GROVE_BOOTSTRAP_ADDR if set, else 127.0.0.1 (single host).
std::uint32_t bootstrapAddress();
/// Listens on addr with an ephemeral port; returns the socket and fills `bound`.
Socket listenOn(std::uint32_t addr, Endpoint* bound);
/// Accepts one connection, or returns an invalid socket at the deadline.
Socket acceptUntil(const Socket& listener, Clock::time_point deadline);
/// Connects, retrying refused connections until the deadline; throws Error(groveTimeout) after it.
Socket connectUntil(const Endpoint& to, Clock::time_point deadline);
/// Sends all bytes; throws Error(groveRemoteError) when the peer is gone.
void sendAll(const Socket& s, const void* data, std::size_t bytes, Clock::time_point deadline);
/// Receives exactly `bytes`; throws Error(groveRemoteError) on EOF, Error(groveTimeout) at the deadline.
void recvAll(const Socket& s, void* data, std::size_t bytes, Clock::time_point deadline);

}  // namespace grove::net
