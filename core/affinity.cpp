#include "core/affinity.hpp"

#include <hwloc.h>

#include <cstdlib>
#include <cstring>

#include "grove/env.hpp"

namespace grove {

bool bindToCore(int localIndex, int localRanks) {
  const char* env = std::getenv("GROVE_BIND");
  if (env && std::strcmp(env, "0") == 0) return false;
  hwloc_topology_t topo;
  if (hwloc_topology_init(&topo) != 0) return false;
  bool bound = false;
  if (hwloc_topology_load(topo) == 0) {
    hwloc_bitmap_t current = hwloc_bitmap_alloc();
    // Already restricted to fewer PUs than the machine has: somebody (mpirun) chose for us.
    bool alreadyBound = hwloc_get_cpubind(topo, current, HWLOC_CPUBIND_PROCESS) == 0 &&
                        !hwloc_bitmap_isincluded(hwloc_topology_get_allowed_cpuset(topo), current);
    int cores = hwloc_get_nbobjs_by_type(topo, HWLOC_OBJ_CORE);
    if (!alreadyBound && cores > 1 && localRanks > 1) {
      // Each rank gets an equal, contiguous share of the cores (its compute threads keep theirs); with
      // more ranks than cores, ranks share cores round-robin.
      int first = localIndex % cores, last = first;
      if (localRanks <= cores) {
        first = localIndex * cores / localRanks;
        last = (localIndex + 1) * cores / localRanks - 1;
      }
      hwloc_bitmap_t set = hwloc_bitmap_alloc();
      for (int c = first; c <= last; ++c)
        if (hwloc_obj_t core = hwloc_get_obj_by_type(topo, HWLOC_OBJ_CORE, c))
          hwloc_bitmap_or(set, set, core->cpuset);
      if (!hwloc_bitmap_iszero(set) && hwloc_set_cpubind(topo, set, HWLOC_CPUBIND_PROCESS) == 0) {
        bound = true;
        log(2, "bound local rank %d to cores %d..%d", localIndex, first, last);
      }
      hwloc_bitmap_free(set);
    }
    hwloc_bitmap_free(current);
  }
  hwloc_topology_destroy(topo);
  return bound;
}

}  // namespace grove
