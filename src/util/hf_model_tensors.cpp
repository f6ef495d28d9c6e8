#include "corag/util/hf_model_tensors.hpp"

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include <nlohmann/json.hpp>

#include "corag/util/atomic_file.hpp"
#include "corag/util/error.hpp"
#include "corag/util/input_file.hpp"
#include "corag/util/json_strict.hpp"

namespace corag {
namespace fs = std::filesystem;

namespace {

std::string read_text_file(const fs::path& path) {
  require_input_file(path);
  std::ifstream in(path, std::ios::binary);
  CORAG_CHECK(in, path.string(), ": cannot open");
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

bool is_plain_file_name(const std::string& name) {
  return !name.empty() && name != "." && name != ".." && name.find('/') == std::string::npos;
}

std::string shard_name(std::size_t index, std::size_t count) {
  char name[64];
  std::snprintf(name, sizeof name, "model-%05zu-of-%05zu.safetensors", index, count);
  return name;
}

/// Removes shard files of an earlier save that `keep` does not name.
void remove_stale_shards(const fs::path& dir, const std::set<std::string>& keep) {
  static const std::regex shard_pattern(R"(model-\d+-of-\d+\.safetensors)");
  for (const auto& item : fs::directory_iterator(dir)) {
    const std::string name = item.path().filename().string();
    if (std::regex_match(name, shard_pattern) && keep.count(name) == 0) fs::remove(item.path());
  }
}

}  // namespace

HfModelTensors::HfModelTensors(const fs::path& model_dir) : dir_(model_dir) {
  const fs::path single = dir_ / kSafetensorsWeightsName;
  const fs::path index_path = dir_ / kSafetensorsIndexName;
  if (fs::exists(single)) {
    files_.push_back(std::make_unique<SafetensorsReader>(single));
    for (const auto& entry : files_.back()->entries()) file_of_.emplace(entry.name, 0);
    return;
  }
  CORAG_CHECK(fs::exists(index_path), dir_.string(), ": no ", kSafetensorsWeightsName, " or ", kSafetensorsIndexName);

  const std::string where = index_path.string();
  const auto index = parse_json_strict(read_text_file(index_path), where);
  CORAG_CHECK(index.is_object() && index.contains("weight_map") && index["weight_map"].is_object(), where,
              ": expected an object with a 'weight_map' object");
  std::unordered_map<std::string, std::size_t> file_index;
  for (const auto& [tensor_name, file_value] : index["weight_map"].items()) {
    CORAG_CHECK(file_value.is_string(), where, ": weight_map entry '", tensor_name, "' is not a file name");
    const std::string file = file_value.get<std::string>();
    CORAG_CHECK(is_plain_file_name(file), where, ": shard '", file, "' of tensor '", tensor_name,
                "' is not a plain file name in ", dir_.string());
    auto [it, added] = file_index.emplace(file, files_.size());
    if (added) files_.push_back(std::make_unique<SafetensorsReader>(dir_ / file));
    CORAG_CHECK(files_[it->second]->find(tensor_name) != nullptr, where, ": tensor '", tensor_name,
                "' is not in its shard ", file);
    file_of_.emplace(tensor_name, it->second);
  }
  CORAG_CHECK(!files_.empty(), where, ": weight_map is empty");
  for (const auto& file : files_) {
    for (const auto& entry : file->entries()) {
      const auto it = file_of_.find(entry.name);
      CORAG_CHECK(it != file_of_.end() && files_[it->second].get() == file.get(), file->path().string(),
                  ": holds tensor '", entry.name, "' which the index does not map to it");
    }
  }
}

std::vector<std::string> HfModelTensors::names() const {
  std::vector<std::string> result;
  result.reserve(file_of_.size());
  for (const auto& [name, file] : file_of_) result.push_back(name);
  std::sort(result.begin(), result.end());
  return result;
}

const SafetensorsEntry* HfModelTensors::find(std::string_view name) const {
  const auto it = file_of_.find(std::string(name));
  return it == file_of_.end() ? nullptr : files_[it->second]->find(name);
}

torch::Tensor HfModelTensors::tensor(std::string_view name) const {
  const auto it = file_of_.find(std::string(name));
  CORAG_CHECK(it != file_of_.end(), dir_.string(), ": no tensor named '", name, "'");
  return files_[it->second]->tensor(name);
}

void write_hf_model_tensors(const fs::path& model_dir, const std::vector<NamedTensor>& tensors,
                            std::uint64_t max_shard_bytes, SafetensorsMetadata metadata) {
  CORAG_CHECK(max_shard_bytes > 0, "max_shard_bytes must be positive");
  metadata.emplace("format", "pt");
  fs::create_directories(model_dir);
  if (safetensors_file_size(tensors, metadata) <= max_shard_bytes) {
    write_safetensors(model_dir / kSafetensorsWeightsName, tensors, metadata);
    fs::remove(model_dir / kSafetensorsIndexName);
    remove_stale_shards(model_dir, {});
    return;
  }

  // Greedy packing in the given order, as transformers' save_pretrained does.
  std::vector<std::vector<NamedTensor>> shards(1);
  std::uint64_t shard_bytes = 0, total_bytes = 0;
  for (const auto& named : tensors) {
    const std::uint64_t bytes =
        static_cast<std::uint64_t>(named.tensor.numel()) * static_cast<std::uint64_t>(named.tensor.element_size());
    if (!shards.back().empty() && shard_bytes + bytes > max_shard_bytes) {
      shards.emplace_back();
      shard_bytes = 0;
    }
    shards.back().push_back(named);
    shard_bytes += bytes;
    total_bytes += bytes;
  }
  nlohmann::json weight_map = nlohmann::json::object();
  std::set<std::string> written;
  for (std::size_t i = 0; i < shards.size(); ++i) {
    const std::string file = shard_name(i + 1, shards.size());
    write_safetensors(model_dir / file, shards[i], metadata);
    for (const auto& named : shards[i]) weight_map[named.name] = file;
    written.insert(file);
  }
  const nlohmann::json index = {{"metadata", {{"total_size", total_bytes}}}, {"weight_map", weight_map}};
  fs::remove(model_dir / kSafetensorsWeightsName);
  write_file_atomically(model_dir / kSafetensorsIndexName, index.dump(2) + "\n");
  remove_stale_shards(model_dir, written);
}

}  // namespace corag
