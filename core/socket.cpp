#include "core/socket.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <thread>

#include "grove/error.hpp"

namespace grove::net {
namespace {

int remainingMs(Clock::time_point deadline) {
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
  return left <= 0 ? 0 : static_cast<int>(std::min<long long>(left, 1000));
}

// Waits until fd is ready for `events`; false at the deadline.
bool waitReady(int fd, short events, Clock::time_point deadline) {
  for (;;) {
    pollfd p{fd, events, 0};
    int ms = remainingMs(deadline);
    int r = ::poll(&p, 1, ms);
    if (r > 0) return true;
    if (r < 0 && errno != EINTR) throwSystemError("poll");
    if (Clock::now() >= deadline) return false;
  }
}

void tuneSocket(int fd) {
  int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
  ::fcntl(fd, F_SETFD, FD_CLOEXEC);
}

}  // namespace

std::string Endpoint::str() const {
  char buf[INET_ADDRSTRLEN] = {};
  in_addr a{addr};
  ::inet_ntop(AF_INET, &a, buf, sizeof(buf));
  return std::string(buf) + ":" + std::to_string(ntohs(port));
}

Socket& Socket::operator=(Socket&& o) noexcept {
  if (this != &o) {
    close();
    fd_ = o.release();
  }
  return *this;
}

void Socket::close() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

std::uint32_t bootstrapAddress() {
  const char* env = std::getenv("GROVE_BOOTSTRAP_ADDR");
  in_addr a{};
  if (env && *env) {
    if (::inet_pton(AF_INET, env, &a) != 1)
      throw Error(groveInvalidArgument, std::string("GROVE_BOOTSTRAP_ADDR is not an IPv4 address: ") + env);
    return a.s_addr;
  }
  return htonl(INADDR_LOOPBACK);
}

Socket listenOn(std::uint32_t addr, Endpoint* bound) {
  Socket s(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!s.valid()) throwSystemError("socket");
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_addr.s_addr = addr;
  sa.sin_port = 0;
  if (::bind(s.fd(), reinterpret_cast<sockaddr*>(&sa), sizeof(sa)) != 0) throwSystemError("bind");
  if (::listen(s.fd(), 1024) != 0) throwSystemError("listen");
  socklen_t len = sizeof(sa);
  if (::getsockname(s.fd(), reinterpret_cast<sockaddr*>(&sa), &len) != 0) throwSystemError("getsockname");
  bound->addr = sa.sin_addr.s_addr;
  bound->port = sa.sin_port;
  return s;
}

Socket acceptUntil(const Socket& listener, Clock::time_point deadline) {
  while (waitReady(listener.fd(), POLLIN, deadline)) {
    int fd = ::accept4(listener.fd(), nullptr, nullptr, SOCK_CLOEXEC);
    if (fd >= 0) {
      tuneSocket(fd);
      return Socket(fd);
    }
    if (errno != EINTR && errno != ECONNABORTED && errno != EAGAIN) throwSystemError("accept");
  }
  return Socket();
}

Socket connectUntil(const Endpoint& to, Clock::time_point deadline) {
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_addr.s_addr = to.addr;
  sa.sin_port = to.port;
  auto pause = std::chrono::milliseconds(1);
  for (;;) {
    Socket s(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
    if (!s.valid()) throwSystemError("socket");
    if (::connect(s.fd(), reinterpret_cast<sockaddr*>(&sa), sizeof(sa)) == 0) {
      tuneSocket(s.fd());
      return s;
    }
    if (errno != ECONNREFUSED && errno != EINTR && errno != EAGAIN && errno != ETIMEDOUT)
      throwSystemError("connect to " + to.str());
    if (Clock::now() + pause >= deadline)
      throw Error(groveTimeout, "could not connect to " + to.str() + " before the timeout");
    std::this_thread::sleep_for(pause);
    pause = std::min(pause * 2, std::chrono::milliseconds(100));
  }
}

void sendAll(const Socket& s, const void* data, std::size_t bytes, Clock::time_point deadline) {
  const char* p = static_cast<const char*>(data);
  while (bytes > 0) {
    ssize_t w = ::send(s.fd(), p, bytes, MSG_NOSIGNAL | MSG_DONTWAIT);
    if (w > 0) {
      p += w;
      bytes -= static_cast<std::size_t>(w);
      continue;
    }
    if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) {
      if (!waitReady(s.fd(), POLLOUT, deadline)) throw Error(groveTimeout, "bootstrap send timed out");
      continue;
    }
    throw Error(groveRemoteError, "bootstrap peer closed the connection");
  }
}

void recvAll(const Socket& s, void* data, std::size_t bytes, Clock::time_point deadline) {
  char* p = static_cast<char*>(data);
  while (bytes > 0) {
    ssize_t r = ::recv(s.fd(), p, bytes, MSG_DONTWAIT);
    if (r > 0) {
      p += r;
      bytes -= static_cast<std::size_t>(r);
      continue;
    }
    if (r == 0) throw Error(groveRemoteError, "bootstrap peer closed the connection");
    if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) {
      if (!waitReady(s.fd(), POLLIN, deadline)) throw Error(groveTimeout, "bootstrap receive timed out");
      continue;
    }
    throw Error(groveRemoteError, "bootstrap receive failed");
  }
}

}  // namespace grove::net
