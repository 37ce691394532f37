/// @file error.hpp
/// The C++ primitive API reports failures by throwing grove::Error; the C API converts them to results.
#pragma once

#include <stdexcept>
#include <string>

#include "grove/grove.h"

namespace grove {

/// An error with the C result code it maps to.
class Error : public std::runtime_error {
 public:
  Error(groveResult_t code, const std::string& message) : std::runtime_error(message), code_(code) {}
  groveResult_t code() const { return code_; }

 private:
  groveResult_t code_;
};

/// Throws Error(groveSystemError) with strerror(errno) appended to `what`.
[[noreturn]] void throwSystemError(const std::string& what);

}  // namespace grove
