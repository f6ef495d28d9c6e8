#include "corag/util/file_links.hpp"

#include "corag/util/error.hpp"

namespace corag {

void link_tree(const std::filesystem::path& from, const std::filesystem::path& to) {
  CORAG_CHECK(std::filesystem::is_directory(from), from.string(), ": no such folder to link from");
  std::filesystem::create_directories(to);
  for (const auto& entry : std::filesystem::recursive_directory_iterator(from)) {
    const auto target = to / std::filesystem::relative(entry.path(), from);
    if (entry.is_directory()) {
      std::filesystem::create_directories(target);
    } else if (entry.is_regular_file()) {
      std::error_code error;
      std::filesystem::create_hard_link(entry.path(), target, error);
      if (error) std::filesystem::copy_file(entry.path(), target, std::filesystem::copy_options::overwrite_existing);
    }
  }
}

}  // namespace corag
