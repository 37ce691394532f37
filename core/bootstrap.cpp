#include "grove/bootstrap.hpp"

#include <arpa/inet.h>
#include <poll.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstring>
#include <thread>

#include "core/socket.hpp"
#include "grove/env.hpp"
#include "grove/error.hpp"

namespace grove {
namespace {

constexpr std::uint32_t kIdMagic = 0x67726f76;     // "grov"
constexpr std::uint32_t kHelloMagic = 0x68656c6f;  // "helo"

// What a groveUniqueId holds. Fits in GROVE_UNIQUE_ID_BYTES.
struct IdLayout {
  std::uint32_t magic;
  std::uint32_t version;
  std::uint8_t secret[16];
  net::Endpoint root;
};
static_assert(sizeof(IdLayout) <= GROVE_UNIQUE_ID_BYTES);

// First message on every connection: proves the secret and says who is calling.
struct Hello {
  std::uint32_t magic;
  std::int32_t rank;
  std::int32_t nranks;
  std::int32_t pid;
  std::uint8_t secret[16];
  net::Endpoint listen;  // where this rank accepts its peers
  std::uint64_t hostId;
};

IdLayout decodeId(const groveUniqueId& id) {
  IdLayout l;
  std::memcpy(&l, id.internal, sizeof(l));
  if (l.magic != kIdMagic || l.version != GROVE_VERSION_CODE)
    throw Error(groveInvalidArgument,
                "the unique id is not one made by groveGetUniqueId of this grove version");
  return l;
}

bool sameSecret(const std::uint8_t* a, const std::uint8_t* b) {
  unsigned diff = 0;  // constant time: do not leak how many bytes matched
  for (int i = 0; i < 16; ++i) diff |= static_cast<unsigned>(a[i] ^ b[i]);
  return diff == 0;
}

std::uint64_t localHostId() {
  char name[256] = {};
  ::gethostname(name, sizeof(name) - 1);
  std::uint64_t h = 1469598103934665603ull;  // FNV-1a over the host name and boot id
  auto mix = [&](const char* s, size_t n) {
    for (size_t i = 0; i < n; ++i) h = (h ^ static_cast<unsigned char>(s[i])) * 1099511628211ull;
  };
  mix(name, std::strlen(name));
  if (FILE* f = std::fopen("/proc/sys/kernel/random/boot_id", "r")) {
    char boot[64] = {};
    size_t n = std::fread(boot, 1, sizeof(boot), f);
    std::fclose(f);
    mix(boot, n);
  }
  return h;
}

// Reads a Hello within a short window so a silent or slow intruder cannot stall the root for long.
bool readHello(const net::Socket& s, const std::uint8_t* secret, Hello* out) {
  try {
    net::recvAll(s, out, sizeof(*out), net::Clock::now() + std::chrono::seconds(2));
  } catch (const Error&) {
    return false;
  }
  return out->magic == kHelloMagic && sameSecret(out->secret, secret);
}

// The root: collects one Hello per rank, then sends every rank the table of all Hellos.
void runRoot(net::Socket listener, IdLayout id, net::Clock::time_point deadline) {
  std::vector<Hello> table;
  std::vector<net::Socket> conns;
  int nranks = -1;
  int joined = 0;
  try {
    while (nranks < 0 || joined < nranks) {
      net::Socket s = net::acceptUntil(listener, deadline);
      if (!s.valid()) {
        log(1, "bootstrap root: %d of %d ranks joined before the timeout", joined, nranks);
        return;
      }
      Hello h{};
      if (!readHello(s, id.secret, &h)) {
        log(1, "bootstrap root: refused a connection without the right secret");
        continue;
      }
      if (nranks < 0 && h.nranks > 0 && h.nranks <= (1 << 20)) {
        nranks = h.nranks;
        table.assign(nranks, Hello{});
        conns.resize(nranks);
      }
      if (h.nranks != nranks || h.rank < 0 || h.rank >= nranks || conns[h.rank].valid()) {
        log(1, "bootstrap root: refused rank %d of %d (inconsistent or duplicate)", h.rank, h.nranks);
        continue;
      }
      table[h.rank] = h;
      conns[h.rank] = std::move(s);
      ++joined;
    }
    for (auto& c : conns) net::sendAll(c, table.data(), table.size() * sizeof(Hello), deadline);
  } catch (const std::exception& e) {
    log(1, "bootstrap root failed: %s", e.what());
  }
}

}  // namespace

struct TcpBootstrap::Impl {
  int rank = 0;
  int nranks = 0;
  IdLayout id{};
  net::Socket listener;
  std::vector<net::Socket> peers;
  std::vector<int> pids;
  std::vector<std::uint64_t> hostIds;

  net::Clock::time_point deadline() const { return net::Clock::now() + timeout(); }

  Hello myHello(const net::Endpoint& where) const {
    Hello h{};
    h.magic = kHelloMagic;
    h.rank = rank;
    h.nranks = nranks;
    h.pid = static_cast<int>(::getpid());
    std::memcpy(h.secret, id.secret, 16);
    h.listen = where;
    h.hostId = localHostId();
    return h;
  }

  void connectMesh(const std::vector<Hello>& table) {
    auto until = deadline();
    peers.resize(nranks);
    // Lower ranks accept, higher ranks connect: every pair gets exactly one connection.
    for (int p = 0; p < rank; ++p) {
      net::Socket s = net::connectUntil(table[p].listen, until);
      Hello h = myHello(table[rank].listen);
      net::sendAll(s, &h, sizeof(h), until);
      peers[p] = std::move(s);
    }
    int expected = nranks - 1 - rank;
    while (expected > 0) {
      net::Socket s = net::acceptUntil(listener, until);
      if (!s.valid()) throw Error(groveTimeout, "bootstrap: peers did not connect before the timeout");
      Hello h{};
      if (!readHello(s, id.secret, &h) || h.rank <= rank || h.rank >= nranks || peers[h.rank].valid() ||
          h.nranks != nranks) {
        log(1, "bootstrap rank %d: refused a connection", rank);
        continue;
      }
      peers[h.rank] = std::move(s);
      --expected;
    }
  }
};

groveUniqueId TcpBootstrap::createUniqueId() {
  IdLayout id{};
  id.magic = kIdMagic;
  id.version = GROVE_VERSION_CODE;
  if (::getrandom(id.secret, sizeof(id.secret), 0) != static_cast<ssize_t>(sizeof(id.secret)))
    throwSystemError("getrandom");
  net::Socket listener = net::listenOn(net::bootstrapAddress(), &id.root);
  // The root waits as long as the timeout in force when the id was made.
  std::thread(runRoot, std::move(listener), id, net::Clock::now() + timeout()).detach();
  groveUniqueId out;
  std::memset(&out, 0, sizeof(out));
  std::memcpy(out.internal, &id, sizeof(id));
  return out;
}

TcpBootstrap::TcpBootstrap(int rank, int nranks, const groveUniqueId& uid) : impl_(std::make_unique<Impl>()) {
  impl_->rank = rank;
  impl_->nranks = nranks;
  impl_->id = decodeId(uid);
  net::Endpoint mine;
  impl_->listener = net::listenOn(impl_->id.root.addr, &mine);
  auto until = impl_->deadline();
  net::Socket root = net::connectUntil(impl_->id.root, until);
  Hello h = impl_->myHello(mine);
  net::sendAll(root, &h, sizeof(h), until);
  std::vector<Hello> table(nranks);
  net::recvAll(root, table.data(), table.size() * sizeof(Hello), until);
  root.close();
  for (int r = 0; r < nranks; ++r) {
    impl_->pids.push_back(table[r].pid);
    impl_->hostIds.push_back(table[r].hostId);
  }
  impl_->connectMesh(table);
  impl_->listener.close();
  log(2, "bootstrap: rank %d of %d connected", rank, nranks);
}

TcpBootstrap::~TcpBootstrap() = default;

std::string TcpBootstrap::rootAddress(const groveUniqueId& id) { return decodeId(id).root.str(); }

int TcpBootstrap::rank() const { return impl_->rank; }
int TcpBootstrap::size() const { return impl_->nranks; }
const std::vector<int>& TcpBootstrap::pids() const { return impl_->pids; }
const std::vector<std::uint64_t>& TcpBootstrap::hostIds() const { return impl_->hostIds; }

void TcpBootstrap::send(int peer, const void* data, std::size_t bytes) {
  if (peer < 0 || peer >= impl_->nranks || peer == impl_->rank)
    throw Error(groveInvalidArgument, "bootstrap send to invalid peer " + std::to_string(peer));
  net::sendAll(impl_->peers[peer], data, bytes, impl_->deadline());
}

void TcpBootstrap::recv(int peer, void* data, std::size_t bytes) {
  if (peer < 0 || peer >= impl_->nranks || peer == impl_->rank)
    throw Error(groveInvalidArgument, "bootstrap recv from invalid peer " + std::to_string(peer));
  net::recvAll(impl_->peers[peer], data, bytes, impl_->deadline());
}

void TcpBootstrap::allGather(void* all, std::size_t bytesPerRank) {
  auto* base = static_cast<char*>(all);
  const int n = impl_->nranks, r = impl_->rank;
  // Sends are small (setup data) and fit in socket buffers, so send all, then receive all.
  for (int p = 0; p < n; ++p)
    if (p != r) send(p, base + r * bytesPerRank, bytesPerRank);
  for (int p = 0; p < n; ++p)
    if (p != r) recv(p, base + p * bytesPerRank, bytesPerRank);
}

void TcpBootstrap::barrier() {
  std::vector<char> token(impl_->nranks, 1);
  allGather(token.data(), 1);
}

bool TcpBootstrap::peerGone(int peer) const {
  if (peer < 0 || peer >= impl_->nranks || peer == impl_->rank) return false;
  pollfd p{impl_->peers[peer].fd(), POLLIN, 0};
  if (::poll(&p, 1, 0) <= 0) return false;
  if (p.revents & (POLLHUP | POLLERR)) return true;
  char c;
  return ::recv(p.fd, &c, 1, MSG_PEEK | MSG_DONTWAIT) == 0;
}

}  // namespace grove
