#include "corag/train/crab_clients.hpp"

#include <string>

#include "corag/util/error.hpp"

namespace corag {

std::vector<CrabClient> load_crab_clients(const std::filesystem::path& crab_dir, std::int64_t shots,
                                          std::int64_t clients) {
  const auto splits = crab_dir / "splits";
  const auto train_dir = splits / ("train" + std::to_string(shots));
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
