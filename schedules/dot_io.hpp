/// @file dot_io.hpp
/// Reading and writing topologies as GraphViz DOT (DESIGN.md §5; the accepted subset is described in
/// docs/topologies.md).
///
/// The reader is a small hand-written recursive-descent parser rather than Boost's read_graphviz: we want
/// every error to name its input line, exact decimal bandwidths, and no crash on any input (it is
/// fuzzed); read_graphviz reports positions poorly and needs a dynamic_properties map for every
/// attribute it may meet.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "schedules/topology.hpp"

namespace grove::sched {

/// Parses DOT text into a Topology with dense ranks (finalizeRanks() has run). `sourceName` only appears
/// in error messages. Throws TopologyError, whose line() names the offending input line, for malformed
/// text, nodes without a kind, unknown kinds, edges without a positive `bw`, edges to undeclared nodes,
/// duplicate or out-of-range ranks. Throws nothing else for any input.
Topology parseDot(std::string_view text, const std::string& sourceName = "<input>");

/// Reads and parses a DOT file; an unreadable file is a TopologyError naming the path.
Topology readDotFile(const std::string& path);

/// Writes `topo` as a `digraph` that parseDot() reads back to the same nodes, ranks and links, bandwidths
/// exact (decimal where possible, otherwise a quoted fraction such as "400/3"). Ranks are only written
/// when they differ from declaration order.
std::string writeDot(const Topology& topo);

/// Parses a non-negative exact number: a decimal ("12.5", ".5", "7.") or a fraction ("400/3"). Returns
/// nothing for malformed text or values out of the supported range (see docs/topologies.md).
std::optional<Rational> parseRationalText(std::string_view text);

/// Formats a Rational the way parseRationalText() reads it: "12.5" when the decimal expansion is finite,
/// "400/3" otherwise.
std::string formatRational(const Rational& value);

}  // namespace grove::sched
