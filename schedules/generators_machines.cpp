// Generators of GPU servers: DGX A100, DGX H100 and MI250 boxes, alone or joined by a network.
#include <string>

#include "schedules/generators_internal.hpp"

namespace grove::sched::gen {
namespace {

std::string boxNode(int box, const char* what, int index = -1) {
  return index >= 0 ? concat("b", box, "_", what, index) : concat("b", box, "_", what);
}

Rational orDefault(const Rational& bw, std::int64_t fallback) {
  return bw.numerator() == 0 ? Rational(fallback) : bw;
}

// Both DGX generations: 8 GPUs per box on one NVSwitch; with more than one box every GPU also has its own
// NIC (a switch node: it forwards between the GPU and the network) linked to network switch
// `fabricName(i)`. Node order (NVSwitch, then each GPU followed by its NIC, network switches last) is the
// one of ../shared/topologies/dgx-a100-x*.dot, so ranks number the GPUs box by box.
template <class FabricName>
Topology dgx(const std::string& name, int boxes, Rational nvBw, Rational nicBw, int fabricSwitches,
             FabricName fabricName) {
  constexpr int kGpus = 8;
  Topology t;
  t.name = name;
  bool network = boxes > 1;
  std::vector<int> nvs(boxes);
  std::vector<std::vector<int>> gpu(boxes, std::vector<int>(kGpus)), nic = gpu;
  for (int b = 0; b < boxes; ++b) {
    nvs[b] = t.addNode(boxNode(b, "nvs"), NodeKind::kSwitch);
    for (int i = 0; i < kGpus; ++i) {
      gpu[b][i] = t.addNode(boxNode(b, "gpu", i), NodeKind::kCompute);
      if (network) nic[b][i] = t.addNode(boxNode(b, "nic", i), NodeKind::kSwitch);
    }
  }
  std::vector<int> fabric;
  if (network)
    for (int s = 0; s < fabricSwitches; ++s) fabric.push_back(t.addNode(fabricName(s), NodeKind::kSwitch));
  for (int b = 0; b < boxes; ++b) {
    for (int i = 0; i < kGpus; ++i) {
      t.addBidirectional(gpu[b][i], nvs[b], nvBw);
      if (!network) continue;
      t.addBidirectional(gpu[b][i], nic[b][i], nicBw);
      t.addBidirectional(nic[b][i], fabric[i % fabricSwitches], nicBw);
    }
  }
  return t;
}

}  // namespace

// DGX A100: NVSwitch ports at 300 GB/s per direction per GPU; eight 200 Gb/s HDR NICs (25 GB/s), NIC i
// on InfiniBand switch ib(i mod 2).
Topology dgxA100(const GeneratorOptions& opt) {
  return dgx(concat("a100_x", opt.boxes), opt.boxes, orDefault(opt.bw, 300), Rational(25), 2,
             [](int s) { return concat("ib", s); });
}

// DGX H100: NVSwitch ports at 450 GB/s per direction per GPU; eight 400 Gb/s NDR NICs (50 GB/s) wired
// rail-optimised: NIC i of every box on leaf switch leaf{i}.
Topology dgxH100(const GeneratorOptions& opt) {
  return dgx(concat("h100_x", opt.boxes), opt.boxes, orDefault(opt.bw, 450), Rational(50), 8,
             [](int s) { return concat("leaf", s); });
}

}  // namespace grove::sched::gen

namespace grove::sched {

const std::array<std::array<int, 16>, 16>& mi250XgmiLinks() {
  // Row i, column j: xGMI links between GCD i and GCD j of one box (two GCDs per MI250X package).
  static const std::array<std::array<int, 16>, 16> kLinks = {{
      {0, 4, 0, 0, 2, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0},
      {4, 0, 0, 0, 0, 1, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0},
      {0, 0, 0, 4, 0, 0, 1, 0, 0, 1, 1, 0, 0, 0, 0, 0},
      {0, 0, 4, 0, 0, 0, 0, 2, 0, 0, 0, 1, 0, 0, 0, 0},
      {2, 0, 0, 0, 0, 4, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0},
      {0, 1, 0, 0, 4, 0, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0},
      {0, 0, 1, 0, 1, 1, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0},
      {0, 0, 0, 2, 0, 1, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0},
      {1, 0, 0, 0, 0, 0, 0, 0, 0, 4, 0, 0, 2, 0, 0, 0},
      {0, 1, 1, 0, 0, 0, 0, 0, 4, 0, 0, 0, 0, 1, 0, 0},
      {0, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 4, 0, 0, 1, 0},
      {0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 4, 0, 0, 0, 0, 2},
      {0, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 0, 4, 1, 0},
      {0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 4, 0, 1, 1},
      {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 1, 1, 0, 4},
      {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 0, 1, 4, 0},
  }};
  return kLinks;
}

}  // namespace grove::sched

namespace grove::sched::gen {

// MI250: 16 GCDs per box, no switch inside the box: each GCD pair with n xGMI links gets one link of
// n x 50 GB/s per direction. With several boxes every GCD has a 16 GB/s link (its share of a 200 Gb/s
// NIC per package pair, simplified) to one IB switch `ib`.
Topology mi250(const GeneratorOptions& opt) {
  constexpr int kGcds = 16;
  Topology t;
  t.name = concat("mi250_x", opt.boxes);
  Rational linkBw = orDefault(opt.bw, 50);
  std::vector<std::vector<int>> gcd(opt.boxes, std::vector<int>(kGcds));
  for (int b = 0; b < opt.boxes; ++b)
    for (int i = 0; i < kGcds; ++i) gcd[b][i] = t.addNode(boxNode(b, "gcd", i), NodeKind::kCompute);
  int ib = opt.boxes > 1 ? t.addNode("ib", NodeKind::kSwitch) : -1;
  const auto& links = mi250XgmiLinks();
  for (int b = 0; b < opt.boxes; ++b) {
    for (int i = 0; i < kGcds; ++i)
      for (int j = i + 1; j < kGcds; ++j)
        if (links[i][j] > 0) t.addBidirectional(gcd[b][i], gcd[b][j], linkBw * links[i][j]);
    if (ib >= 0)
      for (int i = 0; i < kGcds; ++i) t.addBidirectional(gcd[b][i], ib, Rational(16));
  }
  return t;
}

}  // namespace grove::sched::gen
