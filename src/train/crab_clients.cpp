#include "corag/train/crab_clients.hpp"

#include <string>

#include "corag/crab/crab_layout.hpp"
#include "corag/util/error.hpp"
#include "corag/util/json_strict.hpp"

namespace corag {

std::vector<CrabClient> load_crab_clients(const std::filesystem::path& crab_dir, std::int64_t shots,
                                          std::int64_t clients) {
  // The manifest is written last: without it the folder holds an unfinished build.
  const CrabLayout layout(crab_dir);
  const auto manifest_file = layout.manifest();
  CORAG_CHECK(std::filesystem::is_regular_file(manifest_file), crab_dir.string(),
              " holds no finished CRAB build (manifest.json is missing); run crab-build-stores to the end");
  const auto manifest = read_json_file(manifest_file);
  const auto train_split = CrabLayout::train_split_name(shots);
  const auto train_dir = layout.split_dir(train_split);
  const auto listed =
      manifest.contains("splits") && manifest["splits"].is_object() && manifest["splits"].contains(train_split);
  CORAG_CHECK(listed, manifest_file.string(), ": data.shots ", shots,
              " is not among the shots this CRAB build made (splits.shots of crab-build-stores)");
  CORAG_CHECK(std::filesystem::is_directory(train_dir), train_dir.string(), " does not exist: data.shots ", shots,
              " is not among the shots this CRAB build made (splits.shots of crab-build-stores)");
  std::vector<CrabClient> out;
  for (int index = 1; index <= clients; ++index) {
    CrabClient client;
    client.index = index;
    const auto train_file = layout.split_file(train_split, index);
    CORAG_CHECK(std::filesystem::is_regular_file(train_file), train_file.string(), " does not exist: data.clients ",
                clients, " exceeds the clients of this CRAB build");
    client.train = read_qa_file(train_file);
    client.test = read_qa_file(layout.split_file("test", index));
    const auto dev_file = layout.split_file("dev", index);
    if (std::filesystem::is_regular_file(dev_file)) client.dev = read_qa_file(dev_file);
    CORAG_CHECK(!client.train.empty(), train_file.string(), " holds no questions");
    out.push_back(std::move(client));
  }
  return out;
}

}  // namespace corag
