#include "corag/train/crab_clients.hpp"

#include <string>

#include "corag/util/error.hpp"
#include "corag/util/json_strict.hpp"

namespace corag {

std::vector<CrabClient> load_crab_clients(const std::filesystem::path& crab_dir, std::int64_t shots,
                                          std::int64_t clients) {
  // The manifest is written last: without it the folder holds an unfinished build.
  const auto manifest_file = crab_dir / "manifest.json";
  CORAG_CHECK(std::filesystem::is_regular_file(manifest_file), crab_dir.string(),
              " holds no finished CRAB build (manifest.json is missing); run crab-build-stores to the end");
  const auto manifest = read_json_file(manifest_file);
  const auto splits = crab_dir / "splits";
  const auto train_dir = splits / ("train" + std::to_string(shots));
  const auto listed = manifest.contains("splits") && manifest["splits"].is_object() &&
                      manifest["splits"].contains("train" + std::to_string(shots));
  CORAG_CHECK(listed, manifest_file.string(), ": data.shots ", shots,
              " is not among the shots this CRAB build made (splits.shots of crab-build-stores)");
  CORAG_CHECK(std::filesystem::is_directory(train_dir), train_dir.string(), " does not exist: data.shots ", shots,
              " is not among the shots this CRAB build made (splits.shots of crab-build-stores)");
  std::vector<CrabClient> out;
  for (int index = 1; index <= clients; ++index) {
    const auto name = "client_" + std::to_string(index) + ".jsonl";
    CrabClient client;
    client.index = index;
    CORAG_CHECK(std::filesystem::is_regular_file(train_dir / name), (train_dir / name).string(),
                " does not exist: data.clients ", clients, " exceeds the clients of this CRAB build");
    client.train = read_qa_file(train_dir / name);
    client.test = read_qa_file(splits / "test" / name);
    if (std::filesystem::is_regular_file(splits / "dev" / name)) client.dev = read_qa_file(splits / "dev" / name);
    CORAG_CHECK(!client.train.empty(), (train_dir / name).string(), " holds no questions");
    out.push_back(std::move(client));
  }
  return out;
}

}  // namespace corag
