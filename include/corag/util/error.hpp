#pragma once

#include <sstream>
#include <stdexcept>
#include <string>
#include <utility>

namespace corag {

/// The one exception type of the project. Its message names what is at fault (file:line, config
/// key, tensor name, ...); tools catch it at `main`, print `error: <message>` and exit 1.
class Error : public std::runtime_error {
 public:
  explicit Error(const std::string& message) : std::runtime_error(message) {}
};

namespace detail {
template <typename... Parts>
std::string concat(Parts&&... parts) {
  std::ostringstream out;
  (out << ... << std::forward<Parts>(parts));
  return out.str();
}
}  // namespace detail

/// Throws corag::Error with the streamed parts concatenated: `throw_error("x.json:3: bad ", k)`.
template <typename... Parts>
[[noreturn]] void throw_error(Parts&&... parts) {
  throw Error(detail::concat(std::forward<Parts>(parts)...));
}

}  // namespace corag

/// Throws corag::Error with the message parts when `cond` does not hold.
#define CORAG_CHECK(cond, ...)           \
  do {                                   \
    if (!(cond)) {                       \
      ::corag::throw_error(__VA_ARGS__); \
    }                                    \
  } while (false)
