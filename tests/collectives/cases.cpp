#include "cases.hpp"

#include <cstring>
#include <vector>

#include "reference.hpp"

namespace grove::test {

namespace {

using Bytes = std::vector<unsigned char>;

groveStream_t streamOf(const Ctx& x, const CaseSpec& c) { return c.variant.onStream ? x.stream : nullptr; }
MemKind recvKind(const CaseSpec& c) { return c.recvMem.value_or(c.mem); }

// Registers buffers for the duration of one case when the spec asks for it.
class Registrations {
 public:
  Registrations(const Ctx& x, const CaseSpec& c, const std::string& what)
      : x_(x), what_(what), on_(c.registerBuffers) {}
  ~Registrations() {
    for (void* h : handles_)
      x_.check.result(groveCommDeregister(x_.comm, h), groveSuccess, what_ + ": deregister");
  }
  bool add(Buffer& b) {
    if (!on_ || b.size() == 0) return true;
    void* h = nullptr;
    if (!x_.check.result(groveCommRegister(x_.comm, b.data(), b.size(), &h), groveSuccess,
                         what_ + ": register", x_.comm))
      return false;
    handles_.push_back(h);
    return true;
  }

 private:
  const Ctx& x_;
  std::string what_;
  bool on_;
  std::vector<void*> handles_;
};

Bytes bytesOf(const Buffer& b) { return Bytes(b.data(), b.data() + b.size()); }

bool allocated(const Ctx& x, const std::string& what, std::initializer_list<const Buffer*> bufs) {
  for (const Buffer* b : bufs) {
    if (!b->ok()) {
      x.check.fail(what + ": buffer allocation failed");
      return false;
    }
  }
  return true;
}

}  // namespace

std::string describeCase(const char* collective, const CaseSpec& c) {
  std::string s = format("%s %s", collective, ref::typeName(c.type));
  if (std::strstr(collective, "reduce") != nullptr) s += format(" %s", ref::opName(c.op));
  s += format(" count=%zu %s", c.count, describe(c.variant).c_str());
  if (std::strcmp(collective, "broadcast") == 0 || std::strcmp(collective, "reduce") == 0)
    s += format(" root=%d", c.root);
  if (c.mem == MemKind::kGroveMem) s += " groveMemAlloc";
  if (c.recvMem && *c.recvMem != c.mem)
    s += *c.recvMem == MemKind::kGroveMem ? " (recv groveMemAlloc)" : " (recv heap)";
  if (c.registerBuffers) s += " registered";
  if (c.pattern == data::Pattern::kRounding) s += " rounding-data";
  return s;
}

bool runAllReduce(const Ctx& x, const CaseSpec& c) {
  const std::string what = describeCase("allreduce", c);
  const size_t bytes = c.count * ref::typeSize(c.type);
  Buffer send(bytes, c.mem, c.sendMisalign), recv(bytes, recvKind(c), c.recvMisalign);
  if (!allocated(x, what, {&send, &recv})) return false;
  Registrations reg(x, c, what);
  if (!reg.add(send) || !reg.add(recv)) return false;
  Buffer& in = c.variant.inPlace ? recv : send;
  data::fillReduceInput(c.type, c.op, c.pattern, x.rank, x.nranks, 0, c.count, c.seed, in.data());
  const Bytes input = bytesOf(in);
  const groveResult_t r =
      groveAllReduce(in.data(), recv.data(), c.count, c.type, c.op, x.comm, streamOf(x, c));
  if (!x.check.result(complete(r, streamOf(x, c)), groveSuccess, what, x.comm)) return false;
  Bytes want(bytes);
  data::expectedReduce(c.type, c.op, c.pattern, x.nranks, 0, c.count, c.seed, want.data());
  x.check.elements(recv.data(), want.data(), c.count, c.type, what);
  x.check.guards(recv, what + " (recvbuff)");
  if (!c.variant.inPlace) {
    x.check.bytes(send.data(), input.data(), bytes, what + ": sendbuff modified");
    x.check.guards(send, what + " (sendbuff)");
  }
  return true;
}

bool runReduceScatter(const Ctx& x, const CaseSpec& c) {
  const std::string what = describeCase("reduce-scatter", c);
  const size_t size = ref::typeSize(c.type), block = c.count * size, total = block * x.nranks;
  // In place, recvbuff is block `rank` of sendbuff; one buffer holds both.
  Buffer send(total, c.mem, c.sendMisalign), recv(c.variant.inPlace ? 0 : block, recvKind(c), c.recvMisalign);
  if (!allocated(x, what, {&send, &recv})) return false;
  Registrations reg(x, c, what);
  if (!reg.add(send) || (!c.variant.inPlace && !reg.add(recv))) return false;
  data::fillReduceInput(c.type, c.op, c.pattern, x.rank, x.nranks, 0, c.count * x.nranks, c.seed,
                        send.data());
  const Bytes input = bytesOf(send);
  unsigned char* out = c.variant.inPlace ? send.data() + x.rank * block : recv.data();
  const groveResult_t r = groveReduceScatter(send.data(), out, c.count, c.type, c.op, x.comm, streamOf(x, c));
  if (!x.check.result(complete(r, streamOf(x, c)), groveSuccess, what, x.comm)) return false;
  Bytes want(block);
  data::expectedReduce(c.type, c.op, c.pattern, x.nranks, x.rank * c.count, c.count, c.seed, want.data());
  x.check.elements(out, want.data(), c.count, c.type, what);
  x.check.guards(send, what + " (sendbuff)");
  if (!c.variant.inPlace) {
    x.check.guards(recv, what + " (recvbuff)");
    x.check.bytes(send.data(), input.data(), total, what + ": sendbuff modified");
  }
  return true;
}

bool runReduce(const Ctx& x, const CaseSpec& c) {
  const std::string what = describeCase("reduce", c);
  const size_t bytes = c.count * ref::typeSize(c.type);
  const bool isRoot = x.rank == c.root;
  Buffer send(bytes, c.mem, c.sendMisalign), recv(bytes, recvKind(c), c.recvMisalign);
  if (!allocated(x, what, {&send, &recv})) return false;
  Registrations reg(x, c, what);
  if (!reg.add(send) || !reg.add(recv)) return false;
  Buffer& in = c.variant.inPlace ? recv : send;
  data::fillReduceInput(c.type, c.op, c.pattern, x.rank, x.nranks, 0, c.count, c.seed, in.data());
  const Bytes input = bytesOf(in);
  const groveResult_t r =
      groveReduce(in.data(), recv.data(), c.count, c.type, c.op, c.root, x.comm, streamOf(x, c));
  if (!x.check.result(complete(r, streamOf(x, c)), groveSuccess, what, x.comm)) return false;
  if (isRoot) {
    Bytes want(bytes);
    data::expectedReduce(c.type, c.op, c.pattern, x.nranks, 0, c.count, c.seed, want.data());
    x.check.elements(recv.data(), want.data(), c.count, c.type, what);
  } else if (c.variant.inPlace) {
    // recvbuff is ignored on non-root ranks; in place it is also this rank's input, which must survive.
    x.check.bytes(recv.data(), input.data(), bytes, what + ": non-root in-place buffer modified");
  } else {
    x.check.expect(recv.isPoisoned(0, bytes),
                   what + ": recvbuff written on a non-root rank (it is ignored there)");
  }
  x.check.guards(recv, what + " (recvbuff)");
  if (!c.variant.inPlace) {
    x.check.bytes(send.data(), input.data(), bytes, what + ": sendbuff modified");
    x.check.guards(send, what + " (sendbuff)");
  }
  return true;
}

bool runAllGather(const Ctx& x, const CaseSpec& c) {
  const std::string what = describeCase("allgather", c);
  const size_t block = c.count * ref::typeSize(c.type), total = block * x.nranks;
  Buffer send(c.variant.inPlace ? 0 : block, c.mem, c.sendMisalign), recv(total, recvKind(c), c.recvMisalign);
  if (!allocated(x, what, {&send, &recv})) return false;
  Registrations reg(x, c, what);
  if ((!c.variant.inPlace && !reg.add(send)) || !reg.add(recv)) return false;
  // In place, sendbuff is block `rank` of recvbuff.
  unsigned char* in = c.variant.inPlace ? recv.data() + x.rank * block : send.data();
  data::fillBytes(x.rank, 0, block, c.seed, in);
  const groveResult_t r = groveAllGather(in, recv.data(), c.count, c.type, x.comm, streamOf(x, c));
  if (!x.check.result(complete(r, streamOf(x, c)), groveSuccess, what, x.comm)) return false;
  Bytes want(total);
  for (int q = 0; q < x.nranks; ++q) data::fillBytes(q, 0, block, c.seed, want.data() + q * block);
  x.check.elements(recv.data(), want.data(), c.count * x.nranks, c.type, what);
  x.check.guards(recv, what + " (recvbuff)");
  if (!c.variant.inPlace) {
    x.check.bytes(send.data(), want.data() + x.rank * block, block, what + ": sendbuff modified");
    x.check.guards(send, what + " (sendbuff)");
  }
  return true;
}

bool runBroadcast(const Ctx& x, const CaseSpec& c) {
  const std::string what = describeCase("broadcast", c);
  const size_t bytes = c.count * ref::typeSize(c.type);
  const bool isRoot = x.rank == c.root;
  Buffer send(bytes, c.mem, c.sendMisalign), recv(bytes, recvKind(c), c.recvMisalign);
  if (!allocated(x, what, {&send, &recv})) return false;
  Registrations reg(x, c, what);
  if (!reg.add(send) || !reg.add(recv)) return false;
  Buffer& in = c.variant.inPlace ? recv : send;
  // Non-root ranks hold different bytes in sendbuff: they must be ignored, not broadcast.
  data::fillBytes(isRoot ? c.root : 1000 + x.rank, 0, bytes, c.seed, in.data());
  const Bytes input = bytesOf(in);
  const groveResult_t r =
      groveBroadcast(in.data(), recv.data(), c.count, c.type, c.root, x.comm, streamOf(x, c));
  if (!x.check.result(complete(r, streamOf(x, c)), groveSuccess, what, x.comm)) return false;
  Bytes want(bytes);
  data::fillBytes(c.root, 0, bytes, c.seed, want.data());
  x.check.elements(recv.data(), want.data(), c.count, c.type, what);
  x.check.guards(recv, what + " (recvbuff)");
  if (!c.variant.inPlace) {
    x.check.bytes(send.data(), input.data(), bytes, what + ": sendbuff modified");
    x.check.guards(send, what + " (sendbuff)");
  }
  return true;
}

bool runAllToAll(const Ctx& x, const CaseSpec& c) {
  const std::string what = describeCase("alltoall", c);
  const size_t block = c.count * ref::typeSize(c.type), total = block * x.nranks;
  Buffer send(c.variant.inPlace ? 0 : total, c.mem, c.sendMisalign), recv(total, recvKind(c), c.recvMisalign);
  if (!allocated(x, what, {&send, &recv})) return false;
  Registrations reg(x, c, what);
  if ((!c.variant.inPlace && !reg.add(send)) || !reg.add(recv)) return false;
  // Block j of this rank's stream goes to rank j. In place (send == recv) the blocks are replaced.
  unsigned char* in = c.variant.inPlace ? recv.data() : send.data();
  data::fillBytes(x.rank, 0, total, c.seed, in);
  const Bytes input(in, in + total);
  const groveResult_t r = groveAllToAll(in, recv.data(), c.count, c.type, x.comm, streamOf(x, c));
  if (!x.check.result(complete(r, streamOf(x, c)), groveSuccess, what, x.comm)) return false;
  Bytes want(total);
  for (int q = 0; q < x.nranks; ++q)
    data::fillBytes(q, x.rank * block, block, c.seed, want.data() + q * block);
  x.check.elements(recv.data(), want.data(), c.count * x.nranks, c.type, what);
  x.check.guards(recv, what + " (recvbuff)");
  if (!c.variant.inPlace) {
    x.check.bytes(send.data(), input.data(), total, what + ": sendbuff modified");
    x.check.guards(send, what + " (sendbuff)");
  }
  return true;
}

}  // namespace grove::test
