// Local topology through hwloc: cores are ranks; shared caches, NUMA nodes, the socket interconnect and
// NICs are switches. Symmetric links make every switch Eulerian by construction.
#include "schedules/detect.hpp"

#include <hwloc.h>

#include <algorithm>
#include <cctype>
#include <fstream>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace grove::sched {
namespace {

// A node still waiting for its link to the next hub up the hwloc tree, and that link's bandwidth.
struct Uplink {
  int id;
  Rational bw;
};

std::string named(const char* prefix, unsigned index) {
  std::string s(prefix);
  s.append(std::to_string(index));
  return s;
}

// Kernel-reported link speed in Mb/s (sysfs); -1 or absent on many virtual NICs.
std::optional<Rational> nicSpeed(const std::string& ifname) {
  std::ifstream in("/sys/class/net/" + ifname + "/speed");
  long long mbps = 0;
  if (!(in >> mbps) || mbps <= 0 || mbps > 100'000'000) return std::nullopt;
  return Rational(mbps, 8000);  // Mb/s -> GB/s
}

class Detector {
 public:
  Detector(hwloc_topology_t hw, const DetectOptions& options) : hw_(hw), options_(options) {
    computeType_ = hwloc_get_nbobjs_by_type(hw_, HWLOC_OBJ_CORE) > 0 ? HWLOC_OBJ_CORE : HWLOC_OBJ_PU;
  }

  Topology run() {
    topo_.name = "local";
    std::vector<Uplink> top = walk(hwloc_get_root_obj(hw_));
    if (top.size() > 1) {
      int hub = topo_.addNode("interconnect", NodeKind::kSwitch);
      for (const Uplink& u : top) topo_.addBidirectional(u.id, hub, u.bw);
    }
    if (options_.includeNics) addNics();
    topo_.finalizeRanks();
    return topo_;
  }

 private:
  std::vector<Uplink> walk(hwloc_obj_t obj) {
    if (obj->type == computeType_) {
      int id = topo_.addNode(named(computeType_ == HWLOC_OBJ_CORE ? "core" : "pu", obj->logical_index),
                             NodeKind::kCompute);
      return {Uplink{id, bw_.core}};
    }
    std::vector<Uplink> below;
    for (unsigned i = 0; i < obj->arity; ++i) {
      std::vector<Uplink> part = walk(obj->children[i]);
      below.insert(below.end(), part.begin(), part.end());
    }
    // A cache becomes a switch only where it joins two or more branches; a cache private to one core (or
    // one already-shared cache) would just lengthen a chain without changing any cut.
    if (hwloc_obj_type_is_dcache(obj->type) && below.size() >= 2) {
      int cores = hwloc_get_nbobjs_inside_cpuset_by_type(hw_, obj->cpuset, computeType_);
      std::string name = named("l", obj->attr->cache.depth) + "_" + std::to_string(obj->logical_index);
      below = {link(below, topo_.addNode(name, NodeKind::kSwitch), std::min(bw_.core * cores, bw_.memory))};
    }
    // hwloc 2 attaches NUMA nodes as memory children of the object whose cores are local to them; only
    // the first (normal DRAM) is modelled.
    if (obj->memory_arity > 0 && !below.empty()) {
      hwloc_obj_t numa = obj->memory_first_child;
      int id = topo_.addNode(named("numa", numa->logical_index), NodeKind::kSwitch);
      numaIds_[numa->logical_index] = id;
      below = {link(below, id, bw_.interSocket)};
    }
    return below;
  }

  Uplink link(const std::vector<Uplink>& below, int hub, Rational upBw) {
    for (const Uplink& u : below) topo_.addBidirectional(u.id, hub, u.bw);
    return Uplink{hub, upBw};
  }

  void addNics() {
    for (hwloc_obj_t dev = hwloc_get_next_osdev(hw_, nullptr); dev; dev = hwloc_get_next_osdev(hw_, dev)) {
      if (dev->attr->osdev.type != HWLOC_OBJ_OSDEV_NETWORK || !dev->name) continue;
      std::string ifname = dev->name;
      int numa = localNuma(dev);
      if (numa < 0 || ifname == "lo") continue;
      std::string name = "nic_";
      for (char c : ifname) name += std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
      if (topo_.findNode(name) >= 0) continue;
      int id = topo_.addNode(name, NodeKind::kSwitch);
      topo_.addBidirectional(id, numa, nicSpeed(ifname).value_or(bw_.nicDefault));
    }
  }

  // The switch of the first NUMA node local to an I/O object.
  int localNuma(hwloc_obj_t dev) {
    hwloc_obj_t anchor = hwloc_get_non_io_ancestor_obj(hw_, dev);
    if (!anchor || !anchor->nodeset) return -1;
    for (const auto& [logical, id] : numaIds_) {
      hwloc_obj_t numa = hwloc_get_obj_by_type(hw_, HWLOC_OBJ_NUMANODE, logical);
      if (numa && hwloc_bitmap_isset(anchor->nodeset, numa->os_index)) return id;
    }
    return -1;
  }

  hwloc_topology_t hw_;
  DetectOptions options_;
  DetectBandwidths bw_ = detectBandwidths();
  hwloc_obj_type_t computeType_;
  Topology topo_;
  std::map<unsigned, int> numaIds_;  // hwloc logical index -> node id
};

}  // namespace

DetectBandwidths detectBandwidths() { return DetectBandwidths{}; }

Topology detectLocalTopology(const DetectOptions& options) {
  hwloc_topology_t raw = nullptr;
  if (hwloc_topology_init(&raw) != 0) throw TopologyError("hwloc could not initialise a topology");
  std::unique_ptr<hwloc_topology, decltype(&hwloc_topology_destroy)> hw(raw, hwloc_topology_destroy);
  if (options.includeNics) {
    hwloc_topology_set_io_types_filter(raw, HWLOC_TYPE_FILTER_KEEP_IMPORTANT);
    // Only network devices matter here. hwloc's "pci" (libpciaccess) and "opencl" (the OpenCL ICD
    // loader) plugins leak a few allocations per load, which fails every LeakSanitizer build; the Linux
    // component reads the PCI tree and the network devices from sysfs without them.
    for (const char* plugin : {"pci", "opencl", "gl"})
      hwloc_topology_set_components(raw, HWLOC_TOPOLOGY_COMPONENTS_FLAG_BLACKLIST, plugin);
  }
  if (hwloc_topology_load(raw) != 0) throw TopologyError("hwloc could not load this machine's topology");
  return Detector(raw, options).run();
}

}  // namespace grove::sched
