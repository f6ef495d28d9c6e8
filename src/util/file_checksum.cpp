#include "corag/util/file_checksum.hpp"

#include <fstream>
#include <memory>

#include "corag/util/error.hpp"
#include "corag/util/fnv1a.hpp"
#include "corag/util/input_file.hpp"

namespace corag {

std::string file_checksum(const std::filesystem::path& path) {
  require_input_file(path);
  std::ifstream in(path, std::ios::binary);
  CORAG_CHECK(in, path.string(), ": cannot open");
  Fnv1a hash;
  constexpr std::size_t kBytes = std::size_t{1} << 16;
  const std::unique_ptr<char[]> buffer(new char[kBytes]);  // not zero-filled: read fills it
  while (in) {
    in.read(buffer.get(), static_cast<std::streamsize>(kBytes));
    hash.update(buffer.get(), static_cast<std::size_t>(in.gcount()));
  }
  return hash.hex();
}

}  // namespace corag
