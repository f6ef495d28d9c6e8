#include "corag/util/file_checksum.hpp"

#include <fstream>
#include <vector>

#include "corag/util/error.hpp"
#include "corag/util/fnv1a.hpp"
#include "corag/util/input_file.hpp"

namespace corag {

std::string file_checksum(const std::filesystem::path& path) {
  require_input_file(path);
  std::ifstream in(path, std::ios::binary);
  CORAG_CHECK(in, path.string(), ": cannot open");
  Fnv1a hash;
  std::vector<char> buffer(1 << 20);
  while (in) {
    in.read(buffer.data(), static_cast<std::streamsize>(buffer.size()));
    hash.update(buffer.data(), static_cast<std::size_t>(in.gcount()));
  }
  return hash.hex();
}

}  // namespace corag
