/// @file affinity.hpp
/// Binding a rank to a core through hwloc (internal to grove).
#pragma once

namespace grove {

/// Binds the calling process to its share of the cores (cores/localRanks contiguous cores; core
/// localIndex % cores when ranks outnumber cores) unless it is already bound (a launcher such as
/// `mpirun --bind-to core` binds first) or GROVE_BIND=0. Memory allocated afterwards is first touched
/// near those cores. Returns true when it bound.
bool bindToCore(int localIndex, int localRanks);

}  // namespace grove
